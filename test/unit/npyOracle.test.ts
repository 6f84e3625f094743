/**
 * The .npy reader in-process against np.load's verdict on mutated files (the fuzzer's seeds,
 * mutations and oracle, test/fuzz): accepted or refused alike, the same dtype, shape and values.
 * Unlike npyFuzz.test.ts (the shipped CLI), this runs the source, so mutation testing reaches it.
 * NumPy's verdicts are made once per seed and count and kept in the temp folder.
 */
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildPattern, decodeNpy, defaultConfig, encodeNpy, FactorizedConfig, npyToFloat64, toDense } from '../../src/core';
import { pythonWith } from '../support/python';

/* eslint-disable @typescript-eslint/no-require-imports */
const { makeCorpus } = require('../fuzz/fuzz-npy.js') as { makeCorpus(o: { folder: string; count: number; seed: number; python: string }): { verdicts: Verdict[] } };
const { valuesHash } = require('../fuzz/verdicts.js') as { valuesHash(values: Float64Array): string };
/* eslint-enable @typescript-eslint/no-require-imports */

const COUNT = 600;
const SEED = 13;

interface Verdict {
  name: string;
  ok: boolean;
  dtype?: string;
  shape?: number[];
  hash?: string;
  kind?: string;
  plain?: boolean;
  warned: string[];
  numpy2Reads?: boolean;
  numpy2Refuses?: boolean;
}

/** Mutated files and NumPy's verdict on each, made once (the folder is reused while it exists). */
function corpus(python: string): { folder: string; verdicts: Verdict[] } {
  const numpy = execFileSync(python, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim();
  const folder = join(tmpdir(), `sai-npy-oracle-${SEED}-${COUNT}-numpy${numpy}`);
  const done = join(folder, 'verdicts.json');
  if (existsSync(done)) return { folder, verdicts: JSON.parse(readFileSync(done, 'utf8')) };
  mkdirSync(folder, { recursive: true });
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 16, heads: 2, stride: 4, c: 1 };
  writeFileSync(join(folder, 'pattern.npy'), encodeNpy('|u1', [2, 16, 16], toDense(buildPattern(config))));
  const { verdicts } = makeCorpus({ folder, count: COUNT, seed: SEED, python });
  writeFileSync(done, JSON.stringify(verdicts));
  return { folder, verdicts };
}

describe('.npy reader in-process against np.load on mutated files', function () {
  this.timeout(300000);
  const python = pythonWith('numpy');

  it(`reads what NumPy reads (same dtype, shape, values) and refuses what it refuses, on ${COUNT} files`, function () {
    if (!python) this.skip();
    const { folder, verdicts } = corpus(python!);
    const problems: string[] = [];
    const tally = { bothRead: 0, bothRefuse: 0 };
    for (const np of verdicts) {
      let ours: { ok: true; dtype: string; shape: number[]; hash: string } | { ok: false; error: string; npyError: boolean };
      try {
        const array = decodeNpy(readFileSync(join(folder, np.name)), np.name);
        ours = { ok: true, dtype: array.dtype, shape: array.shape, hash: valuesHash(npyToFloat64(array)) };
      } catch (e) {
        ours = { ok: false, error: (e as Error).message, npyError: (e as Error).name === 'NpyError' };
      }
      if (!ours.ok && !ours.npyError) problems.push(`${np.name}: the reader threw ${ours.error}`);
      else if (!np.ok) {
        if (ours.ok && !np.numpy2Reads) problems.push(`${np.name}: NumPy refuses, we read ${ours.dtype} [${ours.shape}]`);
        else tally.bothRefuse++;
      } else if (np.numpy2Refuses) {
        if (ours.ok) problems.push(`${np.name}: NumPy 2 refuses, we read it`);
      } else if (!ours.ok) {
        const supported = np.plain && 'biuf'.includes(np.kind ?? '') && np.hash !== undefined;
        if (supported && !np.warned.length) problems.push(`${np.name}: NumPy reads ${np.dtype} [${np.shape}], we refuse: ${ours.error}`);
      } else if (ours.dtype !== np.dtype || ours.shape.join() !== np.shape!.join() || ours.hash !== np.hash) {
        problems.push(`${np.name}: NumPy ${np.dtype} [${np.shape}] vs ours ${ours.dtype} [${ours.shape}]${ours.hash !== np.hash ? ', values differ' : ''}`);
      } else tally.bothRead++;
    }
    assert.deepEqual(problems, []);
    assert.ok(tally.bothRead > 100 && tally.bothRefuse > 150, JSON.stringify(tally));
  });
});
