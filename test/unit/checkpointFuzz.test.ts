/**
 * A few hundred mutated checkpoints of every format through the bundled readers and the shipped
 * CLI's `checkpoint list` (test/fuzz/fuzz-checkpoints.js; `npm run fuzz` runs 10,000 per format):
 * each is read whole or refused with a CheckpointError, never a crash, a hang or a memory blow-up.
 */
import { strict as assert } from 'assert';
import { productionCli } from '../support/productionCli';

describe('checkpoint readers on mutated files', function () {
  this.timeout(300000);

  it('read or refuse 60 mutations per format (480 files) with no crash, hang or memory blow-up', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fuzz } = require('../fuzz/fuzz-checkpoints.js');
    const { tally, problems } = await fuzz({ count: 60, seed: 5, cliPath: await productionCli() });
    assert.deepEqual(problems, []);
    for (const [format, t] of Object.entries(tally) as [string, { read: number; refused: number }][]) {
      assert.ok(t.refused > 10, `${format}: ${t.refused} refused`);
      assert.ok(t.read > 0, `${format}: some mutations (data bytes) still read`);
    }
    assert.equal(Object.keys(tally).length, 8);
    // Mutated GGUF Llamas still run as models where the mutation hit only data bytes.
    assert.ok((tally.gguf as { ranAsModel?: number }).ranAsModel! > 0, `gguf: ${JSON.stringify(tally.gguf)}`);
  });
});
