/** Kernel sources that fail the way real ones did, for the fallback tests (Node and Chromium). */
import { ATTENTION_KERNELS, KernelSources } from '../../src/gpu/kernelSources';

/** What the minifier did to our kernels: sibling block-scoped locals renamed to one name. */
export const REDECLARED: KernelSources = {
  ...ATTENTION_KERNELS,
  lse: ATTENTION_KERNELS.lse.replace(/\bs2\b/g, 's').replace(/\bj2\b/g, 'j').replace(/\bc2\b/g, 'c').replace(/\bt2\b/g, 't'),
};

/** Compiles and runs, but every row's log-sum-exp is 0: probabilities and outputs are wrong. */
export const WRONG_LSE: KernelSources = { ...ATTENTION_KERNELS, lse: 'function (q, k, rowPtr, cols, scale, rowOffset) {\n  return 0;\n}' };

export const BROKEN_KERNELS = { redeclared: REDECLARED, wrong: WRONG_LSE };
