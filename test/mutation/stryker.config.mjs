// Mutation testing of src/core: the base config of every part (partition.mjs). `npm run mutate`
// (test/mutation/run-all.mjs; not part of `npm test`) runs the parts one after another, each with the
// tests written for its files, and scores all of src/core together. This config alone runs every
// pure test against every file: the same score at many times the cost (the attention kernels' hot
// loops run under every mutant), so use it only narrowed (`--mutate`).
// Stryker changes one operator, condition or constant at a time and runs the unit tests that cover
// it; a mutant no test notices is a hole in the tests. The tests here are those that run the source
// in-process (Python may be their oracle); the ones that run the built bundle (the CLI) cannot see
// Stryker's mutants.
const pureTests = [
  'attention', 'blockGemm', 'checkpoint', 'checkpointGguf', 'checkpointGgufModel', 'checkpointHostile', 'checkpointOnnx', 'codeConfigs',
  'codeLensText', 'deepspeedPeer', 'descr', 'embeddings', 'explain', 'exportFormats', 'fixed', 'io',
  'maskCheck', 'maskFiles', 'maskFunctions', 'maskShare', 'matmul', 'modelForward', 'modelProjection',
  'npyOracle', 'npySemantics', 'pastedQkv', 'peerCode', 'pooling', 'presetRules',
  'projectionCandidates', 'pythonLiteral', 'ranges', 'registry', 'relatives', 'rowsCover',
  'snippetText', 'stats', 'switchPreset', 'tokenize', 'tokenizerJson', 'validation', 'kernelVariants', 'npyShared',
  'budget',
  'analysis',
  'denseDiff',
  'maskOracles',
  'blockStructure',
  'spotCheck',
  'base64',
  'layoutExpansion',
  'stridedPreset',
  'attentionReference',
  'attentionSynthetic',
  'attentionCpu',
  'attentionIndex',
  'wasmModule',
  'attentionPooling',
  'attentionSimd',
  'attentionBlockGemm',
].map((name) => `test/unit/${name}.test.ts`);

export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  plugins: ['@stryker-mutator/mocha-runner'],
  mochaOptions: { spec: pureTests, require: ['tsx/cjs'] },
  mutate: [
    'src/core/**/*.ts',
    // Generated WebAssembly bytes and type-only modules: nothing to mutate.
    '!src/core/attention/kernel-wasm.ts',
    '!src/core/index.ts',
    '!src/core/attention/types.ts',
  ],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: the specs' labels, flags and Python keywords) would each
  // need the whole suite (87% of the time for 24% of the mutants); they are left out of the score, and
  // the registry's table test pins what they define.
  ignoreStatic: true,
  // tsx does not type-check, and one test compares a generated file byte for byte.
  disableTypeChecks: false,
  concurrency: 2,
  // Reruns test only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: 'test-results/mutation/stryker-incremental.json',
  timeoutMS: 5000,
  // The first run of every pure test (with coverage) takes several minutes on this machine, more under load.
  dryRunTimeoutMinutes: 30,
  tempDirName: 'test-results/stryker-tmp',
  ignorePatterns: ['dist', 'test-results', '.vscode-test', '*.vsix', 'node_modules'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'test-results/mutation/index.html' },
  jsonReporter: { fileName: 'test-results/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
};
