// One fuzzer worker process: for each file, the shipped reader's verdict and the shipped CLI's
// `diff` or `attend` run in-process. The parent caps its time and memory (fuzz-npy.js).
'use strict';
const { valuesHash } = require('./verdicts');
const { readFileSync, rmSync } = require('fs');
const { join } = require('path');

const [cliPath, decodePath, folder] = process.argv.slice(2);
const cli = require(cliPath);
const npy = require(decodePath);
const PATTERN = ['--pattern', 'fixed', '--stride', '4', '--c', '1'];


async function runCli(argv) {
  const out = [];
  const err = [];
  try {
    const code = await cli.run(argv, (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  } catch (e) {
    return { code: 'threw', out, err: [String(e && e.stack ? e.stack : e)] };
  }
}

async function handle({ name, role }) {
  const path = join(folder, name);
  const result = { name };
  try {
    const array = npy.decodeNpy(readFileSync(path), name);
    result.decoded = { ok: true, dtype: array.dtype, shape: array.shape, hash: valuesHash(npy.npyToFloat64(array)) };
  } catch (e) {
    result.decoded = { ok: false, error: String(e.message), npyError: e.name === 'NpyError' };
  }
  if (role === 'mask') {
    result.cli = await runCli(['diff', '--mask', path, ...PATTERN]);
  } else {
    const out = join(folder, `${name}.out.npy`);
    result.cli = await runCli(['attend', '--q', path, '--k', join(folder, 'k.npy'), '--v', join(folder, 'v.npy'), ...PATTERN, '--n', '16', '--heads', '2', '--out', out, '--backend', 'cpu', '--threads', '1']);
    if (result.cli.code === 0) {
      result.out = Array.from(npy.npyToFloat64(npy.decodeNpy(readFileSync(out))));
      rmSync(out);
    }
  }
  return result;
}

process.on('message', async (job) => process.send(await handle(job)));
process.send({ ready: true });
