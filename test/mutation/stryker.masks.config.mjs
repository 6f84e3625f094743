// Mutation testing of the mask checks, mask pooling, pasted Q/K/V and two-hop reach
// (`npx stryker run test/mutation/stryker.masks.config.mjs`): only the tests written for them run
// (the other pure tests could only kill more, so the score is a lower bound). Same incremental file
// as the main config.
import main from './stryker.config.mjs';

const tests = ['maskOracles', 'maskCheck', 'maskFiles', 'maskShare', 'pastedQkv', 'stats', 'analysis', 'exportFormats', 'workerProtocol'].map((name) => `test/unit/${name}.test.ts`);

export default {
  ...main,
  mochaOptions: { ...main.mochaOptions, spec: tests },
  mutate: ['src/core/maskCheck.ts', 'src/core/maskPooling.ts', 'src/core/pastedQkv.ts', 'src/core/reach.ts'],
  thresholds: { ...main.thresholds, break: null },
};
