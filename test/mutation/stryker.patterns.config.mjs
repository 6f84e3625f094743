// Mutation testing of the pattern engine: the presets and their registry, the compact masks, ranges,
// statistics, column coverage and config validation (`npx stryker run
// test/mutation/stryker.patterns.config.mjs`), with the tests written for them; DeepSpeed's own
// sparsity_config.py (Debian's torch) is the oracle of deepspeedPeer.
import { partition } from './partition.mjs';

export default partition('patterns', {
  mutate: ['src/core/patterns/**/*.ts', 'src/core/mask.ts', 'src/core/ranges.ts', 'src/core/stats.ts', 'src/core/coverage.ts', 'src/core/config.ts'],
  // deepspeedPeer and torch start Python (torch takes seconds to import under load): a timeout must
  // mean a hang, not a slow import.
  timeoutMS: 30000,
  tests: ['fixed', 'presetRules', 'registry', 'validation', 'switchPreset', 'rowsCover', 'ranges', 'stats', 'maskShare', 'maskOracles', 'relatives', 'deepspeedPeer', 'peerCode', 'explain', 'analysis', 'exportFormats', 'blockStructure', 'torch', 'snippetText', 'layoutExpansion', 'stridedPreset'],
});
