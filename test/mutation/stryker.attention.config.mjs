// Mutation testing of src/core/attention/ (`npx stryker run test/mutation/stryker.attention.config.mjs`;
// a part of `npm run mutate`, see partition.mjs). Stryker's mutant switching puts a branch into every
// hot loop, so these are the small specs (d of 1 to 8, n of a few dozen: every branch, little
// arithmetic, a float64 brute force or literal values as the oracle); the larger attention tests
// (attention, blockGemm, kernelVariants, pooling, pastedQkv, npyShared, gpuFallback) stay in `npm test`.
// A run over reference, synthetic, cpu, index, wasmModule and pooling (608 mutants) takes 2 minutes;
// with blockGemm and kernelVariants added (they kill mutants of simd.ts and blockGemm.ts) it had done
// 549 of them after 6 minutes. Add them when mutating those two files.
import { partition } from './partition.mjs';

export default partition('attention', {
  mutate: ['src/core/attention/**/*.ts', '!src/core/attention/kernel-wasm.ts', '!src/core/attention/types.ts'],
  tests: [
    'attentionReference', 'attentionSynthetic', 'attentionCpu', 'attentionIndex', 'wasmModule', 'attentionPooling',
    'blockStructure', 'spotCheck', 'base64',
  ],
});
