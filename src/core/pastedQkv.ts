/**
 * Pasted Q, K and V: a JSON object {"q": …, "k": …, "v": …}, each [n, d] (one set shared by every
 * head) or [heads, n, d]. They replace the synthetic projections, so the maps show the user's own
 * attention under the pattern.
 */
import type { QKV } from './attention/types';

/** As pasted: heads is 1 when one [n, d] set is shared by every head. */
export type PastedQkv = QKV;

export class QkvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QkvError';
  }
}

const EXAMPLE = 'paste {"q": [[…], …], "k": …, "v": …}, each [n, d] or [heads, n, d]';

/** The nested array's shape and values (row-major), or an error naming where it breaks. */
function tensor(name: string, value: unknown): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  if (shape.length !== 2 && shape.length !== 3) throw new QkvError(`${name} must be [n, d] or [heads, n, d]; it has ${shape.length} dimensions`);
  if (shape.some((s) => s === 0)) throw new QkvError(`${name} is empty (shape [${shape}])`);
  const values: number[] = [];
  const walk = (node: unknown, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      // Stryker disable next-line ConditionalExpression,LogicalOperator: Number.isFinite is false for every non-number and JSON has no NaN; typeof narrows the type
      if (typeof node !== 'number' || !Number.isFinite(node)) throw new QkvError(`${name}[${path.join('][')}] is ${JSON.stringify(node)}, not a finite number`);
      // Checked as float32, the type it is computed in: 1e39 is finite in float64 and Infinity in float32.
      if (!Number.isFinite(Math.fround(node))) throw new QkvError(`${name}[${path.join('][')}] is ${node}, beyond float32 (about ±3.4e38): attention runs in float32`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new QkvError(`${name}[${path.join('][')}] should hold ${shape[depth]} entries like the first one; it is ${Array.isArray(node) ? `${node.length} long` : JSON.stringify(node)}`);
    }
    node.forEach((child, k) => walk(child, depth + 1, [...path, k]));
  };
  walk(value, 0, []);
  return { shape, values };
}

export function parseQkv(text: string): PastedQkv {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim());
  } catch (e) {
    throw new QkvError(`the pasted JSON does not parse: ${(e as Error).message}; ${EXAMPLE}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new QkvError(`expected a JSON object with q, k and v: ${EXAMPLE}`);
  const record = parsed as Record<string, unknown>;
  const missing = ['q', 'k', 'v'].filter((key) => !(key in record));
  if (missing.length) throw new QkvError(`missing ${missing.join(', ')}: ${EXAMPLE}`);
  const [q, k, v] = (['q', 'k', 'v'] as const).map((key) => tensor(key, record[key]));
  for (const [name, other] of [['k', k], ['v', v]] as const) {
    if (other.shape.join() !== q.shape.join()) throw new QkvError(`${name} has shape [${other.shape}] but q has [${q.shape}]: all three must match`);
  }
  const [heads, n, d] = q.shape.length === 3 ? q.shape : [1, ...q.shape];
  return { heads, n, d, q: Float32Array.from(q.values), k: Float32Array.from(k.values), v: Float32Array.from(v.values) };
}

/**
 * The pasted tensors for a config: [n, d] is shared by every head; [heads, n, d] must match the
 * config's heads; the first n rows are used and there must be at least n.
 */
export function qkvForConfig(pasted: { heads: number; d: number; q: ArrayLike<number>; k: ArrayLike<number>; v: ArrayLike<number> }, heads: number, n: number): QKV {
  const rows = pasted.q.length / (pasted.heads * pasted.d);
  if (pasted.heads !== 1 && pasted.heads !== heads) {
    throw new QkvError(`the pasted Q/K/V have ${pasted.heads} heads but the config has ${heads}: set heads to ${pasted.heads}, or paste [n, d] to share one set`);
  }
  if (n > rows) throw new QkvError(`the pasted Q/K/V have ${rows} rows but n is ${n}: set n to ${rows} or less`);
  const d = pasted.d;
  const [q, k, v] = [pasted.q, pasted.k, pasted.v].map((source) => {
    const out = new Float32Array(heads * n * d);
    // Stryker disable next-line EqualityOperator: an extra head writes past the end of the typed array (ignored)
    for (let h = 0; h < heads; h++) {
      const from = (pasted.heads === 1 ? 0 : h) * rows * d;
      // Stryker disable next-line EqualityOperator: the extra value lands on the next head's first, which that head then writes (past the end for the last)
      for (let x = 0; x < n * d; x++) out[h * n * d + x] = source[from + x];
    }
    return out;
  });
  return { heads, n, d, q, k, v };
}
