#!/usr/bin/env node
// `npm run fuzz`: mutated .npy files through the shipped CLI's `diff` and `attend`, NumPy as the
// oracle. Usage: node test/fuzz/fuzz-npy.js [--count 10000] [--seed 1] [--jobs 2] [--keep]
// Needs the production build (node esbuild.js --production) and /usr/bin/python3 with NumPy.
// Prints counts; exits 1 on any crash, hang, memory blow-up or disagreement with NumPy.
'use strict';
const { execFileSync } = require('child_process');
const { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } = require('fs');
const { tmpdir } = require('os');
const { join, resolve } = require('path');
const esbuild = require('esbuild');
const { CappedWorker } = require('./cappedWorker');
const { optionsFor } = require('../../esbuild');
const { prng, mutate } = require('./mutate');
const { compare } = require('./verdicts');

const ROOT = resolve(__dirname, '../..');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

async function buildDecoder(outfile) {
  await esbuild.build({ ...optionsFor({ platform: 'node' }, { production: true }), entryPoints: [join(__dirname, 'decode-entry.ts')], outfile });
}

/**
 * Mutated files in `folder` (which holds pattern.npy, the mask the seeds are made from) and NumPy's
 * verdict on each: the seeds written by NumPy, `count` mutations of them, np.load as the oracle.
 */
function makeCorpus({ folder, count, seed, python }) {
  const seeds = JSON.parse(execFileSync(python, [join(__dirname, 'npy-oracle.py'), 'seeds', folder], { encoding: 'utf8' }));
  const random = prng(seed);
  const files = [];
  for (let k = 0; k < count; k++) {
    const from = seeds[k % seeds.length];
    const name = `${String(k).padStart(5, '0')}-${from.name}`;
    writeFileSync(join(folder, name), mutate(random, readFileSync(join(folder, from.name))));
    files.push({ name, role: from.role });
  }
  writeFileSync(join(folder, 'files.json'), JSON.stringify(files));
  const oracle = execFileSync(python, [join(__dirname, 'npy-oracle.py'), 'judge', folder, join(folder, 'files.json')], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const verdicts = oracle.trim().split('\n').map((line) => JSON.parse(line));
  return { files, verdicts };
}

/**
 * Runs the fuzzer; returns the tally and the problems. `cliPath` is the shipped CLI bundle,
 * `python` one with NumPy.
 */
async function fuzz({ count, seed, jobs = 2, cliPath = join(ROOT, 'dist/cli.js'), python = '/usr/bin/python3', keep = false }) {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run node esbuild.js --production first`);
  const folder = mkdtempSync(join(tmpdir(), 'npy-fuzz-'));
  const decodePath = join(folder, 'decode.js');
  await buildDecoder(decodePath);
  execFileSync(process.execPath, [cliPath, 'mask', '--pattern', 'fixed', '--stride', '4', '--c', '1', '--n', '16', '--heads', '2', '--format', 'npy', '--out', join(folder, 'pattern.npy')]);
  const { files, verdicts } = makeCorpus({ folder, count, seed, python });
  const numpy = new Map(verdicts.map((v) => [v.name, v]));

  const workers = Array.from({ length: jobs }, () => new CappedWorker(join(__dirname, 'fuzz-child.js'), [cliPath, decodePath, folder]));
  const tally = new Map();
  const problems = [];
  let next = 0;
  await Promise.all(
    workers.map(async (worker) => {
      while (next < files.length) {
        const file = files[next++];
        const ours = await worker.run(file);
        const { category, problem } = compare(file, numpy.get(file.name), ours);
        tally.set(category, (tally.get(category) ?? 0) + 1);
        if (problem) problems.push(`${file.name}: ${problem}`);
      }
    }),
  );
  workers.forEach((w) => w.stop());
  const numpyVersion = execFileSync(python, ['-c', 'import numpy; print(numpy.__version__)'], { encoding: 'utf8' }).trim();
  if (!keep) rmSync(folder, { recursive: true, force: true });
  return { tally, problems, numpyVersion, folder };
}

async function main() {
  const count = option('count', 10000);
  const seed = option('seed', 1);
  const keep = process.argv.includes('--keep');
  const { tally, problems, numpyVersion, folder } = await fuzz({ count, seed, jobs: option('jobs', 2), keep });
  console.log(`npy fuzz: ${count} files (seed ${seed}), NumPy ${numpyVersion} as the oracle`);
  for (const [category, n] of [...tally].sort()) console.log(`  ${category}: ${n}`);
  for (const p of problems.slice(0, 30)) console.log(`  PROBLEM ${p}`);
  if (problems.length > 30) console.log(`  ... and ${problems.length - 30} more`);
  if (keep) console.log(`files kept in ${folder}`);
  return problems.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

module.exports = { fuzz, makeCorpus };
