/**
 * Parameter names for the weights torch.onnx.export leaves anonymous. With constant folding on, an
 * nn.Linear on 3-D activations (every Hugging Face model) is exported as MatMul by the folded
 * transposed weight, a new tensor that torch names `onnx::MatMul_<n>`; the parameter's own name
 * survives only where the graph still points at it:
 * - the bias: the MatMul's output goes into an Add with the named `<module>.bias` (or, for Gemm,
 *   the bias is its third input): the weight is `<module>.weight`;
 * - the node's scope: torch ≥ 1.13 names nodes after the modules they ran in
 *   (`/model/layers.0/self_attn/q_proj/MatMul`): the weight is `model.layers.0.self_attn.q_proj.weight`,
 *   taken only when another tensor's name starts with the same root (`model.`), since a module
 *   that was not called through (or a scope torch had to de-duplicate) leaves the path incomplete.
 * A recovered weight is transposed back to nn.Linear's [out, in] (MatMul's B is [in, out]; Gemm's
 * is unless transB = 1). Anything else keeps its ONNX name.
 */

export interface GraphNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** Gemm's transB attribute (0 when absent). */
  transB: number;
}

export interface Recovered {
  name: string;
  /** The stored tensor is the parameter transposed (2-D): read it back as [shape[1], shape[0]]. */
  transposed: boolean;
}

/** torch.onnx's name for a tensor it made (constant folding), not a parameter's. */
export const ANONYMOUS = /^onnx::/;

export function recoverParameterNames(tensors: ReadonlyArray<{ name: string; shape: number[] }>, nodes: readonly GraphNode[]): Map<string, Recovered> {
  const shapes = new Map(tensors.map((t) => [t.name, t.shape]));
  const named = new Set(tensors.map((t) => t.name).filter((name) => !ANONYMOUS.test(name)));
  const roots = new Set([...named].map((name) => name.split('.')[0]));
  const byInput = new Map<string, GraphNode[]>();
  for (const node of nodes) for (const input of node.inputs) byInput.set(input, [...(byInput.get(input) ?? []), node]);

  const proposals = new Map<string, Recovered>();
  for (const { name, shape } of tensors) {
    if (!ANONYMOUS.test(name) || shape.length !== 2) continue;
    const uses = (byInput.get(name) ?? []).filter((node) => (node.op === 'MatMul' || node.op === 'Gemm') && node.inputs[1] === name);
    const found = new Set(uses.map((node) => JSON.stringify(fromNode(node, shape, shapes, named, roots, byInput) ?? null)));
    // Used once, or the same way each time; an unused or ambiguous tensor keeps its name.
    if (found.size !== 1) continue;
    const recovered = JSON.parse([...found][0]) as Recovered | null;
    if (recovered) proposals.set(name, recovered);
  }
  // A name proposed twice is not known for either.
  const counts = new Map<string, number>();
  for (const r of proposals.values()) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  return new Map([...proposals].filter(([, r]) => counts.get(r.name) === 1 && !named.has(r.name)));
}

function fromNode(
  node: GraphNode,
  shape: number[],
  shapes: ReadonlyMap<string, number[]>,
  named: ReadonlySet<string>,
  roots: ReadonlySet<string>,
  byInput: ReadonlyMap<string, GraphNode[]>,
): Recovered | undefined {
  const transposed = node.op === 'MatMul' || node.transB !== 1;
  const outDim = transposed ? shape[1] : shape[0];
  const isBias = (name: string | undefined) => name !== undefined && named.has(name) && name.endsWith('.bias') && sameShape(shapes.get(name), [outDim]);
  let bias: string | undefined;
  if (node.op === 'Gemm') bias = isBias(node.inputs[2]) ? node.inputs[2] : undefined;
  else {
    const adds = (byInput.get(node.outputs[0]) ?? []).filter((n) => n.op === 'Add' && n.inputs.length === 2);
    bias = adds.flatMap((add) => add.inputs.filter((input) => input !== node.outputs[0] && isBias(input)))[0];
  }
  if (bias) return { name: `${bias.slice(0, -'.bias'.length)}.weight`, transposed };
  const scope = node.name.split('/').filter(Boolean).slice(0, -1);
  if (scope.length === 0 || !roots.has(scope[0].split('.')[0])) return undefined;
  return { name: `${scope.join('.')}.weight`, transposed };
}

function sameShape(a: number[] | undefined, b: number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((d, k) => d === b[k]);
}

/** Folded weights left anonymous (other `onnx::` tensors are folded shapes and constants). */
const ANONYMOUS_WEIGHT = /^onnx::(MatMul|Gemm)_/;

/** What to add to "no tensor X" when some weights kept ONNX's anonymous names. */
export function anonymousHint(names: Iterable<string>): string {
  const anonymous = [...names].filter((name) => ANONYMOUS_WEIGHT.test(name));
  if (!anonymous.length) return '';
  return ` (${anonymous.length} weights keep torch.onnx's anonymous names, e.g. ${anonymous[0]}: the export folded them, and its graph names neither their bias nor their module's full path; export with torch >= 1.13 from a model whose modules run through their own forward, or read the PyTorch checkpoint instead)`;
}
