// Mutation testing of the mask checks, mask pooling, pasted Q/K/V and two-hop reach
// (`npx stryker run test/mutation/stryker.masks.config.mjs`), with the tests written for them.
import { partition } from './partition.mjs';

export default partition('masks', {
  mutate: ['src/core/maskCheck.ts', 'src/core/maskPooling.ts', 'src/core/pastedQkv.ts', 'src/core/reach.ts'],
  tests: ['maskOracles', 'maskCheck', 'maskFiles', 'maskShare', 'pastedQkv', 'stats', 'analysis', 'exportFormats', 'workerProtocol'],
});
