/**
 * A few hundred mutated .npy files through the shipped, minified CLI's diff and attend, with
 * np.load's verdict on each as the oracle (test/fuzz; `npm run fuzz` runs 10,000).
 */
import { strict as assert } from 'assert';
import { productionCli } from '../support/productionCli';
import { pythonWith } from '../support/python';

describe('.npy reader against NumPy on mutated files', function () {
  this.timeout(300000);
  const python = pythonWith('numpy');

  it('agrees with np.load on 400 mutated files through the shipped diff and attend, with no crash or hang', async function () {
    if (!python) this.skip();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fuzz } = require('../fuzz/fuzz-npy.js');
    const { tally, problems } = await fuzz({ count: 400, seed: 11, cliPath: await productionCli(), python });
    assert.deepEqual(problems, []);
    assert.ok((tally.get('both read (same dtype, shape, values)') ?? 0) > 50, 'enough files are read by both to compare values');
    assert.ok((tally.get('both refuse') ?? 0) > 100);
  });
});
