// One checkpoint-fuzzer worker: opens each mutated file with the bundled readers, reads every
// tensor, and lists it with the shipped CLI; a GGUF file is also taken as a model (its tokenizer
// and config from metadata, layer 0's Q/K/V for one token), where a ModelError is a refusal. The
// parent caps its time and memory.
'use strict';
const { readFileSync } = require('fs');
const { join } = require('path');

const [cliPath, readersPath, folder] = process.argv.slice(2);
const cli = require(cliPath);
const model = require(readersPath);
// Tight enough that a lying file cannot make a reader allocate much before it is refused.
const LIMITS = { ...model.DEFAULT_LIMITS, maxTensorBytes: 64 << 20, maxInflatedBytes: 64 << 20 };

async function handle({ name }) {
  const path = join(folder, name);
  const result = { name };
  try {
    const checkpoint = await model.openCheckpointSource(model.memorySource(new Uint8Array(readFileSync(path)), name), LIMITS);
    if (checkpoint.format === 'gguf') result.model = await asModel(checkpoint, name);
    for (const t of checkpoint.tensors) {
      const values = await checkpoint.read(t.name);
      if (values.length !== t.shape.reduce((a, b) => a * b, 1)) throw new Error(`read ${values.length} values for shape [${t.shape}]`);
    }
    result.reader = { ok: true, tensors: checkpoint.tensors.length };
  } catch (e) {
    result.reader = { ok: false, refused: e instanceof model.CheckpointError, error: String(e && e.stack ? e.stack : e).split('\n').slice(0, 3).join(' | ') };
  }
  const err = [];
  try {
    result.cli = await cli.run(['checkpoint', 'list', path], () => {}, (l) => err.push(l));
    result.cliLines = err.length;
  } catch (e) {
    result.cli = 'threw';
    result.cliError = String(e && e.stack ? e.stack : e).split('\n').slice(0, 3).join(' | ');
  }
  return result;
}

/** 'ran', 'refused' (a ModelError or CheckpointError) or the crash. */
async function asModel(checkpoint, name) {
  try {
    model.ggufTokenizer(checkpoint.ggufMetadata, name);
    const { config, weights } = model.ggufForward(checkpoint, name);
    await (await model.loadModel(config, weights)).qkvAt([0], 0);
    return 'ran';
  } catch (e) {
    if (e instanceof model.ModelError || e instanceof model.CheckpointError) return 'refused';
    return `crashed: ${String(e && e.stack ? e.stack : e).split('\n').slice(0, 3).join(' | ')}`;
  }
}

process.on('message', (job) => handle(job).then((r) => process.send(r)));
process.send('ready');
