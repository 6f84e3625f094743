// Mutation testing of the small src/core modules around the patterns (`npx stryker run
// test/mutation/stryker.analysis.config.mjs`): analysis, budget, build, dense, diff, embeddings,
// explain, the exports and tokenize, with the tests written for them.
import { partition } from './partition.mjs';

export default partition('analysis', {
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
  tests: ['analysis', 'presetRules', 'stats', 'budget', 'explain', 'denseDiff', 'io', 'embeddings', 'tokenize', 'snippetText', 'exportFormats'],
});
