#!/usr/bin/env node
// Mutated checkpoints of every format (the committed fixtures as seeds) through the bundled
// readers and the shipped CLI's `checkpoint list`. Usage:
//   node test/fuzz/fuzz-checkpoints.js [--count 10000] (per format) [--seed 1] [--jobs 2] [--formats onnx,gguf] [--keep]
// Needs the production build (node esbuild.js --production). Every file must be read whole or
// refused with a CheckpointError (a GGUF file, taken as a model too: run or refused with a ModelError) (the CLI: exit 0, or exit 2 with one line); a crash, a hang
// (20 s) or 1 GiB of memory is a problem. Prints the counts; exits 1 on any problem.
'use strict';
const { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } = require('fs');
const { tmpdir } = require('os');
const { join, resolve, basename } = require('path');
const esbuild = require('esbuild');
const { CappedWorker } = require('./cappedWorker');
const { optionsFor } = require('../../esbuild');
const { prng } = require('../support/prng');
const { mutate } = require('./checkpoint-mutate');

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/checkpoints');
const SEEDS = {
  safetensors: ['gpt2/model.safetensors', 'views.safetensors'],
  'pytorch-zip': ['views.pt', 'training-checkpoint.pt', 'rebuild-v3.pt'],
  'pytorch-legacy': ['views-legacy.pth'],
  pickle: ['numpy-dict-p0.pkl', 'numpy-dict-p2.pkl', 'numpy-dict-p4.pkl'],
  npz: ['gpt2.npz', 'bert-compressed.npz'],
  npy: ['embeddings.npy'],
  gguf: ['tiny-llama.gguf', 'llama-q8_0.gguf', 'q4_0.gguf'],
  onnx: ['onnx/scoped.onnx', 'onnx/scoped-constants.onnx', 'onnx/bert/model.onnx', 'onnx/gpt2-external/model.onnx'],
};

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

/** What went wrong with one file, or undefined. */
function problemOf(r) {
  if (r.problem) return `${r.problem} ${r.stderr ?? ''}`.trim();
  if (!r.reader.ok && !r.reader.refused) return `reader crashed: ${r.reader.error}`;
  if (r.model && r.model.startsWith('crashed')) return `GGUF model ${r.model}`;
  if (r.cli === 'threw') return `CLI threw: ${r.cliError}`;
  if (r.cli !== 0 && r.cli !== 2) return `CLI exit ${r.cli}`;
  if (r.cli === 2 && r.cliLines !== 1) return `CLI printed ${r.cliLines} error lines`;
  return undefined;
}

/** Runs the fuzzer: `count` mutations per format. Returns per-format tallies and the problems. */
async function fuzz({ count, seed = 1, jobs = 2, cliPath = join(ROOT, 'dist/cli.js'), keep = false, formats = Object.keys(SEEDS) }) {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run node esbuild.js --production first`);
  const folder = mkdtempSync(join(tmpdir(), 'checkpoint-fuzz-'));
  const readersPath = join(folder, 'readers.js');
  await esbuild.build({ ...optionsFor({ platform: 'node' }, { production: true }), entryPoints: [join(__dirname, 'checkpoint-entry.ts')], outfile: readersPath });
  const random = prng(seed);
  const files = [];
  for (const format of formats) {
    const seeds = SEEDS[format];
    if (!seeds) throw new Error(`no format ${format}: the fuzzer knows ${Object.keys(SEEDS).join(', ')}`);
    for (let k = 0; k < count; k++) {
      const from = seeds[k % seeds.length];
      const name = `${format}-${String(k).padStart(5, '0')}-${basename(from)}`;
      writeFileSync(join(folder, name), mutate(random, readFileSync(join(FIXTURES, from))));
      files.push({ name, format });
    }
  }
  const workers = Array.from({ length: jobs }, () => new CappedWorker(join(__dirname, 'checkpoint-child.js'), [cliPath, readersPath, folder]));
  const tally = {};
  const problems = [];
  let next = 0;
  await Promise.all(
    workers.map(async (worker) => {
      while (next < files.length) {
        const file = files[next++];
        const r = await worker.run(file);
        const problem = problemOf(r);
        const verdict = problem ? 'problem' : r.reader.ok ? 'read' : 'refused';
        tally[file.format] ??= { read: 0, refused: 0, problem: 0 };
        tally[file.format][verdict]++;
        if (r.model === 'ran') tally[file.format].ranAsModel = (tally[file.format].ranAsModel ?? 0) + 1;
        if (problem) problems.push(`${file.name}: ${problem}`);
      }
    }),
  );
  workers.forEach((w) => w.stop());
  if (!keep) rmSync(folder, { recursive: true, force: true });
  return { tally, problems, folder };
}

async function main() {
  const count = option('count', 10000);
  const started = Date.now();
  const at = process.argv.indexOf('--formats');
  const formats = at < 0 ? undefined : process.argv[at + 1].split(',');
  const { tally, problems, folder } = await fuzz({ count, seed: option('seed', 1), jobs: option('jobs', 2), keep: process.argv.includes('--keep'), formats });
  for (const [format, t] of Object.entries(tally)) console.log(`${format}: ${t.read} read whole, ${t.refused} refused with a CheckpointError, ${t.problem} problems${t.ranAsModel ? `; ${t.ranAsModel} ran as a model` : ''}`);
  for (const p of problems.slice(0, 20)) console.log(`problem: ${p}`);
  console.log(`${problems.length} problems in ${Object.keys(tally).length * count} files, ${((Date.now() - started) / 1000).toFixed(0)} s${process.argv.includes('--keep') ? `; files in ${folder}` : ''}`);
  process.exitCode = problems.length ? 1 : 0;
}

module.exports = { fuzz };

if (require.main === module) main();
