// Mutation testing of the small src/core modules around the patterns (`npx stryker run
// test/mutation/stryker.analysis.config.mjs`): analysis, budget, build, dense, diff, embeddings,
// explain, the exports and tokenize, with only the tests written for them (a lower bound: the other
// pure tests could only kill more). Its own incremental file, temp folder and reports, so that it can
// run beside a narrowed run of another config.
import main from './stryker.config.mjs';

const tests = ['analysis', 'presetRules', 'stats', 'budget', 'explain', 'denseDiff', 'io', 'embeddings', 'tokenize', 'snippetText', 'exportFormats'].map((name) => `test/unit/${name}.test.ts`);

export default {
  ...main,
  mochaOptions: { ...main.mochaOptions, spec: tests },
  mutate: [
    'src/core/analysis.ts',
    'src/core/budget.ts',
    'src/core/build.ts',
    'src/core/dense.ts',
    'src/core/diff.ts',
    'src/core/embeddings.ts',
    'src/core/explain.ts',
    'src/core/export/*.ts',
    'src/core/tokenize.ts',
  ],
  incrementalFile: 'test-results/mutation/stryker-incremental-analysis.json',
  tempDirName: 'test-results/stryker-tmp-analysis',
  htmlReporter: { fileName: 'test-results/mutation/analysis/index.html' },
  jsonReporter: { fileName: 'test-results/mutation/analysis/mutation.json' },
  concurrency: 1,
};
