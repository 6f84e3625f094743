/** Export… of dense probabilities: bounded by bytes, head by head with progress, cancellable. */
import { strict as assert } from 'assert';
import { attendHeads, attentionInputFor, buildPattern, decodeNpy, defaultConfig, FactorizedConfig, npyToFloat32, probsToDense, resolveInput } from '../../src/core';
import { ExportCancelled, probsNpy } from '../../src/extension/probsExport';

describe('probabilities export', () => {
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 96, heads: 3, stride: 16, c: 2, subblocks: 3 };

  it('equals the dense probabilities of the same Q/K/V, reporting progress per head', async () => {
    const fractions: number[] = [];
    const bytes = await probsNpy(config, { config }, { report: (f) => fractions.push(f), cancelled: false });
    const npy = decodeNpy(bytes);
    assert.deepEqual(npy.shape, [3, 96, 96]);
    const input = resolveInput(config, attentionInputFor(config, undefined));
    const out = new Float32Array(3 * 96 * input.d);
    const lse = new Float32Array(3 * 96);
    const { probs } = attendHeads(buildPattern(config), input, 0, 3, { out, lse }, { withProbs: true });
    assert.deepEqual(Array.from(npyToFloat32(npy)), Array.from(probsToDense(probs, 96)));
    assert.deepEqual(fractions, [1 / 3, 2 / 3, 1]);
  });

  it('stops between heads when cancelled, and refuses past 512 MiB with the n that fits', async () => {
    let reports = 0;
    const progress = { report: () => reports++, get cancelled() { return reports >= 1; } };
    await assert.rejects(probsNpy(config, { config }, progress), ExportCancelled);
    assert.equal(reports, 1, 'one head done, then stopped');
    const big = { ...config, n: 8192, heads: 8, stride: 128, c: 8, subblocks: 1 };
    await assert.rejects(probsNpy(big, { config: big }), /\[8, 8192, 8192\] float32 array \(2\.0 GiB, limit 512\.0 MiB\): export them for n <= 4096 with 8 heads/);
  });
});
