// Mutation testing of the one .npy reader and its header parser (`npx stryker run
// test/mutation/stryker.npy.config.mjs`): np.load's verdicts (cached fixtures written by NumPy) and
// ast.literal_eval's are the oracles.
import { partition } from './partition.mjs';

export default partition('npy', {
  mutate: ['src/core/npy/**/*.ts'],
  tests: ['npySemantics', 'npyOracle', 'descr', 'pythonLiteral', 'npyShared', 'maskFiles', 'io'],
});
