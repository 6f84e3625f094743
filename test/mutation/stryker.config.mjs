// Mutation testing of src/core (`npm run mutate`; not part of `npm test`: it runs for most of an hour on two cores).
// Stryker changes one operator, condition or constant at a time and runs the unit tests that cover
// it; a mutant no test notices is a hole in the tests. Equivalent survivors are listed with a
// reason in test/mutation/equivalent.md. The tests here are the pure ones (no CLI, no Python):
// the others run the built bundle, which Stryker's mutants never reach.
const pureTests = [
  'attention', 'embeddings', 'explain', 'exportFormats', 'fixed', 'io', 'maskShare', 'npySemantics', 'pastedQkv',
  'peerCode', 'pooling', 'registry', 'relatives', 'rowsCover', 'stats', 'switchPreset', 'tokenize', 'validation',
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
  // tsx does not type-check, and one test compares a generated file byte for byte.
  disableTypeChecks: false,
  concurrency: 2,
  // Reruns test only the mutants whose code or covering tests changed.
  incremental: true,
  incrementalFile: 'test-results/mutation/stryker-incremental.json',
  timeoutMS: 20000,
  tempDirName: 'test-results/stryker-tmp',
  ignorePatterns: ['dist', 'test-results', '.vscode-test', '*.vsix', 'node_modules'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'test-results/mutation/index.html' },
  jsonReporter: { fileName: 'test-results/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
};
