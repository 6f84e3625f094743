/**
 * What to offer someone naming the Q/K/V projections of a model whose architecture the forward pass
 * does not know (the editor's quick picks; the CLI's --q/--k/--v|--qkv --heads): the checkpoint's
 * 2-D weights that can project an input of width d, the requested layer's and the likely names
 * first, and the head counts that divide a projection's outputs.
 */
import { projectionOutputs } from './projection';
import { ModelError } from './weights';

export interface TensorShape {
  name: string;
  shape: number[];
}

/** Which projection a pick is for: the fused one, or one of the separate three. */
export type ProjectionRole = 'qkv' | 'q' | 'k' | 'v';

/** Names that usually hold each projection (GPT-2, NeoX, MPT, Falcon, Llama, BERT, T5, Meta's wq/wk/wv). */
const ROLE_NAMES: Record<ProjectionRole, RegExp> = {
  qkv: /(qkv|c_attn|query_key_value|in_proj)/i,
  q: /(^|[._])(q|q_proj|query|wq|to_q)([._]|$)/i,
  k: /(^|[._])(k|k_proj|key|wk|to_k)([._]|$)/i,
  v: /(^|[._])(v|v_proj|value|wv|to_v)([._]|$)/i,
};

/** The projection's output width as projectQkv will read it, or undefined when no side of `shape` is d. */
export function outputWidth(candidate: TensorShape, d: number): number | undefined {
  try {
    return projectionOutputs(candidate.name, candidate.shape, d).out;
  } catch (e) {
    if (e instanceof ModelError) return undefined;
    throw e;
  }
}

/** Whether `name` carries `layer` as a numbered part ("h.5.", "layers.5.", "block_5_"). */
function namesLayer(name: string, layer: number): boolean {
  return new RegExp(`(^|[._/])${layer}([._/]|$)`).test(name);
}

/** Whether `name` carries any numbered part (then another number than the layer's is another layer). */
const numbered = (name: string) => /(^|[._/])\d+([._/]|$)/.test(name);

/**
 * The weights that can be `role`'s projection of an input of width d (2-D, a side of d, not a bias;
 * a fused one with outputs divisible by 3), ranked: the layer's own names first (then names without
 * a layer number, then other layers'), within that the names usual for the role, then by name.
 */
export function projectionCandidates(tensors: readonly TensorShape[], d: number, layer: number, role: ProjectionRole): TensorShape[] {
  const fits = tensors.filter((t) => {
    if (t.shape.length !== 2 || /bias$/i.test(t.name)) return false;
    const out = outputWidth(t, d);
    return out !== undefined && (role !== 'qkv' || out % 3 === 0);
  });
  const rank = (t: TensorShape) => (namesLayer(t.name, layer) ? 0 : numbered(t.name) ? 4 : 2) + (ROLE_NAMES[role].test(t.name) ? 0 : 1);
  return fits.map((t) => ({ t, r: rank(t) })).sort((a, b) => a.r - b.r || (a.t.name < b.t.name ? -1 : a.t.name > b.t.name ? 1 : 0)).map(({ t }) => t);
}

export interface HeadChoice {
  heads: number;
  headDim: number;
}

/** The usual head sizes, most usual first: offered before the other divisors. */
const USUAL_HEAD_DIMS = [64, 128, 96, 80, 32, 256];

/**
 * Head counts for a query width (fused: a third of its outputs): every h that divides it into heads
 * of at least 4 values, the usual head sizes first, then by head count.
 */
export function headChoices(queryWidth: number): HeadChoice[] {
  if (!Number.isInteger(queryWidth) || queryWidth < 1) throw new ModelError(`a query projection of ${queryWidth} outputs has no heads`);
  const choices: HeadChoice[] = [];
  for (let heads = 1; heads <= queryWidth; heads++) {
    if (queryWidth % heads === 0 && (queryWidth / heads >= 4 || heads === 1)) choices.push({ heads, headDim: queryWidth / heads });
  }
  const usual = (c: HeadChoice) => {
    const at = USUAL_HEAD_DIMS.indexOf(c.headDim);
    return at < 0 ? USUAL_HEAD_DIMS.length : at;
  };
  return choices.sort((a, b) => usual(a) - usual(b) || a.heads - b.heads);
}
