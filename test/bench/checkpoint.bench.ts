/**
 * `npm run bench` (checkpoint part): listing a large checkpoint reads a few KB of it, and loading
 * one layer's attention projections reads only those tensors, an embedding lookup only its tokens'
 * rows. GPT-2-small-shaped files (about
 * 500 MB each) are made in a temporary folder: safetensors here per the spec, torch.save zip and
 * legacy and np.savez by test/bench/make_big_checkpoints.py when a Python with torch is found.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { formatBytes } from '../../src/core';
import { OpenFiles, openCheckpointPath } from '../../src/checkpointFiles';
import { weightsOf } from '../../src/model';
import { CheckedWeights } from '../../src/model/weights';
import { pythonWith } from '../support/python';

const D = 768;
const LAYERS = 12;

/** A GPT-2-medium-shaped safetensors file written tensor by tensor (zeros but c_attn, which holds its layer number). */
function writeSafetensors(path: string): void {
  const shapes: [string, number[]][] = [['wte.weight', [50257, D]], ['wpe.weight', [1024, D]]];
  for (let k = 0; k < LAYERS; k++) {
    const p = `h.${k}.`;
    shapes.push([p + 'ln_1.weight', [D]], [p + 'ln_1.bias', [D]], [p + 'attn.c_attn.weight', [D, 3 * D]], [p + 'attn.c_attn.bias', [3 * D]]);
    shapes.push([p + 'attn.c_proj.weight', [D, D]], [p + 'attn.c_proj.bias', [D]], [p + 'ln_2.weight', [D]], [p + 'ln_2.bias', [D]]);
    shapes.push([p + 'mlp.c_fc.weight', [D, 4 * D]], [p + 'mlp.c_fc.bias', [4 * D]], [p + 'mlp.c_proj.weight', [4 * D, D]], [p + 'mlp.c_proj.bias', [D]]);
  }
  shapes.push(['ln_f.weight', [D]], ['ln_f.bias', [D]]);
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape] of shapes) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const text = Buffer.from(JSON.stringify(header));
  const fd = openSync(path, 'w');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  writeSync(fd, length);
  writeSync(fd, text);
  for (const [name, shape] of shapes) {
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const layer = /^h\.(\d+)\.attn\.c_attn\.weight$/.exec(name);
    if (layer) values.fill(Number(layer[1]));
    writeSync(fd, new Uint8Array(values.buffer));
  }
  closeSync(fd);
}

async function measure(path: string): Promise<string[]> {
  const files = new OpenFiles();
  try {
    const t0 = performance.now();
    const { checkpoint } = await openCheckpointPath(path, files);
    const listMs = performance.now() - t0;
    const listed = checkpoint.bytesRead();
    const t1 = performance.now();
    const layer = 5;
    const qkv = await checkpoint.read(`h.${layer}.attn.c_attn.weight`);
    await checkpoint.read(`h.${layer}.attn.c_attn.bias`);
    const loadMs = performance.now() - t1;
    if (qkv[12345] !== layer) throw new Error(`${path}: layer ${layer}'s c_attn holds ${qkv[12345]}`);
    const loaded = checkpoint.bytesRead() - listed;
    // An embedding lookup of 20 tokens: their rows of the [50257, 768] table, not the table's 154 MB.
    const t2 = performance.now();
    const tokens = Array.from({ length: 20 }, (_, k) => (k * 7919) % 50257);
    await new CheckedWeights(weightsOf(checkpoint), 'GPT-2').rows('wte.weight', [50257, D], tokens, 'token');
    const embedMs = performance.now() - t2;
    const embedded = checkpoint.bytesRead() - listed - loaded;
    const size = statSync(path).size;
    return [path.split('/').pop()!, checkpoint.format, formatBytes(size), `${checkpoint.tensors.length}`, formatBytes(listed), `${listMs.toFixed(1)}`, formatBytes(loaded), `${loadMs.toFixed(1)}`, formatBytes(embedded), `${embedMs.toFixed(1)}`];
  } finally {
    await files.close();
  }
}

async function main() {
  const folder = mkdtempSync(join(tmpdir(), 'checkpoint-bench-'));
  try {
    writeSafetensors(join(folder, 'big.safetensors'));
    const torchPython = pythonWith('torch', 'numpy');
    if (torchPython) execFileSync(torchPython, [join(__dirname, 'make_big_checkpoints.py'), folder]);
    else console.log('(no Python with torch: the .pt and .npz rows are left out)');
    const rows = [['file', 'format', 'size', 'tensors', 'list: read', 'list ms', 'layer 5 c_attn: read', 'load ms', '20 tokens embedded: read', 'embed ms']];
    for (const name of ['big.safetensors', 'big.pt', 'big-legacy.pt', 'big.npz']) {
      if (torchPython || name.endsWith('.safetensors')) rows.push(await measure(join(folder, name)));
    }
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)) + 2);
    console.log('\nCheckpoints (GPT-2-small-shaped, 12 layers, d = 768): bytes read to list, to load one layer\'s Q/K/V projection, and to embed 20 tokens');
    for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('').trimEnd());
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main();
