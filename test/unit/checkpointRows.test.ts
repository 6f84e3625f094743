/**
 * Row reads (an embedding lookup): every reader's readRowRange gives what a whole read gives, on the
 * files torch and NumPy wrote; the forward pass's embedding reads only its tokens' rows.
 */
import { strict as assert } from 'assert';
import { CheckpointError, forwardInputs, loadModel, ModelError, weightsInMemory } from '../../src/model';
import { CheckedWeights } from '../../src/model/weights';
import { EXPECTED, openFixture } from '../support/checkpoints';

const rowLengthOf = (shape: number[]) => shape.slice(1).reduce((a, b) => a * b, 1);

describe('row reads of a tensor’s first axis', () => {
  for (const path of Object.keys(EXPECTED)) {
    it(`${path}: every tensor's first, middle and last rows equal a whole read's`, async () => {
      const checkpoint = await openFixture(path);
      // ONNX weights live in protobuf fields and node attributes: no row addressing, the caller slices.
      if (checkpoint.format === 'onnx') return assert.equal(checkpoint.readRowRange, undefined);
      assert.ok(checkpoint.readRowRange, `${path} (${checkpoint.format}) reads rows`);
      for (const info of checkpoint.tensors) {
        if (info.shape.length === 0 || info.shape[0] === 0 || info.refused) continue;
        const whole = await checkpoint.read(info.name);
        const rows = info.shape[0];
        const rowLength = rowLengthOf(info.shape);
        for (const [start, count] of [[0, 1], [Math.floor(rows / 2), Math.ceil(rows / 2)], [rows - 1, 1], [0, rows]]) {
          const got = await checkpoint.readRowRange!(info.name, start, count);
          assert.deepEqual(Array.from(got), Array.from(whole.subarray(start * rowLength, (start + count) * rowLength)), `${path} ${info.name} rows ${start}+${count}`);
        }
        await assert.rejects(checkpoint.readRowRange!(info.name, rows, 1), (e: Error) => e instanceof CheckpointError && /do not exist: it has \d+ rows/.test(e.message));
      }
    });
  }
});

describe('embedding lookups read their tokens’ rows, not the table', () => {
  // Tiny float32 GPT-2s in every format that addresses rows in place; a zip (torch.save) also reads
  // each entry's local header once (30 bytes and the entry's name).
  for (const [path, zipHeaders] of [['gpt2/model.safetensors', 0], ['gpt2/gpt2.pt', 2], ['gpt2-legacy.pt', 0], ['gpt2.npz', 2], ['gpt2-f32.gguf', 0]] as const) {
    it(`${path}: tokens [3, 1, 3] read rows 1 and 3 of the token table and rows 0..2 of the positions`, async () => {
      const checkpoint = await openFixture(path);
      const config = checkpoint.format === 'gguf' ? undefined : { model_type: 'gpt2', n_embd: 8, n_head: 2, n_layer: 2, n_positions: 8, vocab_size: 16 };
      const { config: modelConfig, weights } = forwardInputs(checkpoint, config, path);
      const model = await loadModel(modelConfig, weights);
      const before = checkpoint.bytesRead();
      const x = await model.inputOf([3, 1, 3], 0);
      const read = checkpoint.bytesRead() - before;
      const d = model.info.hidden;
      const rows = (2 + 3) * d * 4;
      assert.ok(read >= rows && read <= rows + zipHeaders * 100, `${path}: ${read} bytes for the embedding lookup, ${rows} of them rows`);
      assert.ok(read < model.info.vocab * d * 4, 'less than the token table');
      // The same values as the whole tables give.
      const wte = await weights.read(weights.names().find((n) => /wte\.weight$/.test(n))!);
      const wpe = await weights.read(weights.names().find((n) => /wpe\.weight$/.test(n))!);
      [3, 1, 3].forEach((token, i) => {
        for (let c = 0; c < d; c++) assert.equal(x[i * d + c], Math.fround(wte[token * d + c] + wpe[i * d + c]), `${path} x[${i}][${c}]`);
      });
    });
  }

  it('a row outside the table is a ModelError naming the tensor; a provider without row reads is sliced', async () => {
    const table = Float32Array.from({ length: 12 }, (_, k) => k);
    const w = new CheckedWeights(weightsInMemory(new Map([['emb', { shape: [4, 3], data: table }]])), 'test');
    assert.deepEqual(Array.from(await w.rows('emb', [4, 3], [2, 0, 2])), [6, 7, 8, 0, 1, 2, 6, 7, 8]);
    assert.deepEqual(Array.from(await w.rows('emb', [4, 3], [])), []);
    await assert.rejects(w.rows('emb', [4, 3], [4], 'token'), (e: Error) => e instanceof ModelError && e.message === 'token 4 is outside emb, which has 4 rows (0..3)');
    await assert.rejects(w.rows('emb', [4, 3], [-1]), ModelError);
    await assert.rejects(w.rows('emb', [5, 3], [0]), /emb has shape \[4, 3\]; test needs \[5, 3\]/);
    // A provider whose row read comes back short is an error, not rows of zeros.
    const short = new CheckedWeights({ ...weightsInMemory(new Map([['emb', { shape: [4, 3], data: table }]])), readRowRange: async () => new Float32Array(2) }, 'test');
    await assert.rejects(short.rows('emb', [4, 3], [1]), /rows 1\.\.1 of emb hold 2 values; 1 rows of 3 need 3/);
  });
});
