// Mutation testing of src/core/attention/ (`npx stryker run test/mutation/stryker.attention.config.mjs`;
// a part of `npm run mutate`, see partition.mjs). Stryker's mutant switching puts a branch into every
// hot loop, so these are small specs (d of 1 to 8, n of a few dozen: every branch, little arithmetic,
// a float64 brute force or literal values as the oracle); the larger attention tests (attention,
// blockGemm, kernelVariants, pooling, pastedQkv, npyShared, gpuFallback) stay in `npm test`.
// Measured on the 2-core machine, --concurrency 1: the whole part (1,340 mutants) has a 1 s dry run;
// reference, synthetic, cpu, index, wasmModule and pooling (608 mutants) run in 2 minutes with --force.
// blockGemm and kernelVariants kill more of simd.ts and blockGemm.ts (blockGemm.ts 44.9% -> 78.6%,
// simd.ts 68.7% -> 70.4%, in 7 min 40 s with --mutate narrowed to those two files, the only ones
// then instrumented), but with every file instrumented their dry run took 3.5 minutes and the run
// had tested 5 of 238 mutants after 16 minutes: add them only with --mutate on those two files.
import { partition } from './partition.mjs';

export default partition('attention', {
  mutate: ['src/core/attention/**/*.ts', '!src/core/attention/kernel-wasm.ts', '!src/core/attention/types.ts'],
  tests: [
    'attentionReference', 'attentionSynthetic', 'attentionCpu', 'attentionIndex', 'wasmModule', 'attentionPooling',
    'blockStructure', 'spotCheck', 'base64', 'attentionSimd', 'attentionBlockGemm',
  ],
});
