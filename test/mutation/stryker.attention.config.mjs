// Mutation testing of src/core/attention/ alone (`npx stryker run test/mutation/stryker.attention.config.mjs`):
// the main config's every pure test covers the kernels' hot paths, which made each mutant cost tens of
// seconds (1,352 mutants, hours). Here only the tests written for the attention code run; the other
// pure tests could only kill more, so the score is a lower bound. Same incremental file as the main config.
// Stryker's mutant switching puts a branch into every hot loop, so these are the small specs (d of 1
// to 8, n of a few dozen: every branch, little arithmetic); the larger attention tests (attention,
// blockGemm, kernelVariants, pooling, pastedQkv, npyShared, gpuFallback) stay in `npm test` and the
// main config. A run over reference, synthetic, cpu, index, wasmModule and pooling (608 mutants)
// takes 2 minutes; with blockGemm and kernelVariants added (they kill mutants of simd.ts and
// blockGemm.ts) it had done 549 of them after 6 minutes. Add them when mutating those two files.
import main from './stryker.config.mjs';

const attentionTests = [
  'attentionReference', 'attentionSynthetic', 'attentionCpu', 'attentionIndex', 'wasmModule', 'attentionPooling',
  'blockStructure', 'spotCheck', 'base64',
].map((name) => `test/unit/${name}.test.ts`);

export default {
  ...main,
  mochaOptions: { ...main.mochaOptions, spec: attentionTests },
  mutate: ['src/core/attention/**/*.ts', '!src/core/attention/kernel-wasm.ts', '!src/core/attention/types.ts'],
  thresholds: { ...main.thresholds, break: null },
};
