/**
 * The gpu.js kernels as source text. gpu.js translates a kernel from its JavaScript source, so a
 * kernel written as a function would be translated from whatever the bundler made of it: the
 * minified build renamed sibling block-scoped locals to one name (`s`, `s2` -> `P`), which gpu.js
 * declares at function scope, and every GPU backend then failed to compile (WGSL "redeclaration",
 * GLSL "redefinition"). As strings they reach gpu.js exactly as written here, in every build.
 *
 * Rules of the dialect (each one bit us): every local has a name unique in its kernel (gpu.js's
 * cpu backend hoists them); loops count from an integer 0 (WGSL allows ++ only on integers, and
 * rowPtr values are floats); indices are floats, exact below 2^24.
 */

/** Thread per row: the row's log-sum-exp of scaled scores over its allowed keys (-1e30 for none). */
export const LSE_KERNEL = `function (q, k, rowPtr, cols, scale, rowOffset) {
  const i = this.thread.x + rowOffset;
  const start = rowPtr[i];
  const end = rowPtr[i + 1];
  if (end <= start) return -1e30;
  const count = end - start;
  let max = -1e30;
  for (let t = 0; t < count; t++) {
    const j = cols[start + t];
    let s = 0;
    for (let c = 0; c < this.constants.d; c++) s += q[i * this.constants.d + c] * k[j * this.constants.d + c];
    max = Math.max(max, s * scale);
  }
  let sum = 0;
  for (let t2 = 0; t2 < count; t2++) {
    const j2 = cols[start + t2];
    let s2 = 0;
    for (let c2 = 0; c2 < this.constants.d; c2++) s2 += q[i * this.constants.d + c2] * k[j2 * this.constants.d + c2];
    sum += Math.exp(s2 * scale - max);
  }
  return max + Math.log(sum);
}`;

/** Thread per stored cell: its probability exp(score - lse[row]). */
export const PROBS_KERNEL = `function (q, k, cols, rowOf, lse, scale, cellOffset) {
  const t = this.thread.x + cellOffset;
  const i = rowOf[t];
  const j = cols[t];
  let s = 0;
  for (let c = 0; c < this.constants.d; c++) s += q[i * this.constants.d + c] * k[j * this.constants.d + c];
  return Math.exp(s * scale - lse[i]);
}`;

/** Thread per (row, feature): the probability-weighted sum of V over the row's allowed keys. */
export const OUTPUT_KERNEL = `function (p, v, rowPtr, cols, rowOffset, cellOffset) {
  const i = this.thread.y + rowOffset;
  const start = rowPtr[i];
  const count = rowPtr[i + 1] - start;
  let acc = 0;
  for (let t = 0; t < count; t++) acc += p[start + t - cellOffset] * v[cols[start + t] * this.constants.d + this.thread.x];
  return acc;
}`;

export interface KernelSources {
  lse: string;
  probs: string;
  output: string;
}

export const ATTENTION_KERNELS: KernelSources = { lse: LSE_KERNEL, probs: PROBS_KERNEL, output: OUTPUT_KERNEL };
