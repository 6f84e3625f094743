/**
 * Q/K/V of an unknown architecture from projections the caller names (projectQkv), checked on the
 * BERT fixture, whose layers apply no norm before Q/K/V: its separate query/key/value, the same
 * weights fused (q | k | v, and per head as GPT-NeoX lays them out), as Conv1D [in, out], and with
 * fewer K/V heads; and the refusals.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { loadModel, ModelError, projectQkv, weightsInMemory, WeightProvider } from '../../src/model';
import { floats, integers, npzWeights, readNpz } from '../support/npz';

/** The [cols, rows] transpose of a [rows, cols] matrix (an nn.Linear weight as the Conv1D weight of the same map). */
function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

const BERT = join(__dirname, '..', 'fixtures', 'models', 'bert');
const LAYER = 1;
const at = `bert.encoder.layer.${LAYER}.attention.self.`;
const D = 32;
const HEAD = 8;

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const worst = actual.reduce((m, x, k) => Math.max(m, Math.abs(x - expected[k])), 0);
  assert.ok(worst <= 1e-4, `${what}: off by ${worst}`);
}

describe('Q/K/V from projections the caller names (unknown architectures)', () => {
  const weights = npzWeights(join(BERT, 'weights.npz'));
  const expected = readNpz(join(BERT, '..', 'expected', 'bert.npz'));
  const tokens = integers(expected, 'tokens');
  const n = tokens.length;
  let input: Float32Array;
  const tensor = async (name: string) => ({ shape: weights.shape(name), data: await weights.read(name) });
  const part = async (which: string) => ({ w: await weights.read(`${at}${which}.weight`), b: await weights.read(`${at}${which}.bias`) });

  before(async () => {
    const model = await loadModel(JSON.parse(readFileSync(join(BERT, 'config.json'), 'utf8')), weights);
    input = await model.inputOf(tokens, LAYER);
  });

  const checkAll = (qkv: { q: Float32Array; k: Float32Array; v: Float32Array }, what: string) => {
    for (const p of ['q', 'k', 'v'] as const) assertClose(qkv[p], floats(expected, `${p}${LAYER}`), `${what} ${p}`);
  };

  it("separate query, key and value (nn.Linear, with biases) give BERT's own Q/K/V", async () => {
    const qkv = await projectQkv(weights, { q: `${at}query.weight`, k: `${at}key.weight`, v: `${at}value.weight`, heads: 4, causal: false, layer: LAYER }, input, n);
    assert.deepEqual([qkv.heads, qkv.kvHeads, qkv.headDim, qkv.n, qkv.causal, qkv.layer], [4, 4, HEAD, n, false, LAYER]);
    checkAll(qkv, 'separate');
  });

  it('one fused projection: q | k | v rows, per-head rows (GPT-NeoX), and a Conv1D [in, out] weight', async () => {
    const [q, k, v] = await Promise.all(['query', 'key', 'value'].map(part));
    const blocks = new Float32Array(3 * D * D);
    const blockBias = new Float32Array(3 * D);
    const perHead = new Float32Array(3 * D * D);
    const perHeadBias = new Float32Array(3 * D);
    [q, k, v].forEach(({ w, b }, which) => {
      blocks.set(w, which * D * D);
      blockBias.set(b, which * D);
      for (let h = 0; h < 4; h++) {
        // Head h's rows of this projection go to rows (3h + which) · HEAD of the per-head layout.
        perHead.set(w.subarray(h * HEAD * D, (h + 1) * HEAD * D), (3 * h + which) * HEAD * D);
        perHeadBias.set(b.subarray(h * HEAD, (h + 1) * HEAD), (3 * h + which) * HEAD);
      }
    });
    const fused = weightsInMemory(
      new Map([
        ['blocks.weight', { shape: [3 * D, D], data: blocks }],
        ['blocks.bias', { shape: [3 * D], data: blockBias }],
        ['perhead.weight', { shape: [3 * D, D], data: perHead }],
        ['perhead.bias', { shape: [3 * D], data: perHeadBias }],
        ['conv.weight', { shape: [D, 3 * D], data: transpose(blocks, 3 * D, D) }],
        ['conv.bias', { shape: [3 * D], data: blockBias }],
      ]),
    );
    const choice = { heads: 4, causal: false, layer: LAYER };
    checkAll(await projectQkv(fused, { ...choice, qkv: 'blocks.weight' }, input, n), 'fused q | k | v');
    checkAll(await projectQkv(fused, { ...choice, qkv: 'perhead.weight', fusedOrder: 'per-head' }, input, n), 'fused per head');
    checkAll(await projectQkv(fused, { ...choice, qkv: 'conv.weight' }, input, n), 'Conv1D');
  });

  it('grouped-query: K and V with 2 heads for 4 query heads are repeated per query head', async () => {
    const [key, value] = await Promise.all(['key', 'value'].map(part));
    const half = (name: string, p: { w: Float32Array; b: Float32Array }): Array<[string, { shape: number[]; data: Float32Array }]> => [
      [`${name}.weight`, { shape: [2 * HEAD, D], data: p.w.subarray(0, 2 * HEAD * D) }],
      [`${name}.bias`, { shape: [2 * HEAD], data: p.b.subarray(0, 2 * HEAD) }],
    ];
    const gqa = weightsInMemory(new Map([['q.weight', await tensor(`${at}query.weight`)], ['q.bias', await tensor(`${at}query.bias`)], ...half('k', key), ...half('v', value)]));
    const qkv = await projectQkv(gqa, { q: 'q.weight', k: 'k.weight', v: 'v.weight', heads: 4, causal: true, layer: LAYER }, input, n);
    assert.equal(qkv.kvHeads, 2);
    const size = n * HEAD;
    const bertK = floats(expected, `k${LAYER}`);
    // Query heads 0 and 1 read kv head 0 (BERT's head 0); heads 2 and 3 read kv head 1 (BERT's head 1).
    for (const [h, from] of [[0, 0], [1, 0], [2, 1], [3, 1]]) assertClose(qkv.k.subarray(h * size, (h + 1) * size), bertK.subarray(from * size, (from + 1) * size), `k head ${h}`);
  });

  it('refuses, saying what to change', async () => {
    const refuses = async (w: WeightProvider, choice: Record<string, unknown>, pattern: RegExp, x = input, count = n) =>
      assert.rejects(projectQkv(w, { heads: 4, causal: false, layer: LAYER, ...choice }, x, count), (e: Error) => e instanceof ModelError && pattern.test(e.message));
    await refuses(weights, { q: `${at}query.weight`, k: `${at}key.weight` }, /name the q, k and v projections/);
    await refuses(weights, { qkv: `${at}query.weight`, q: `${at}query.weight` }, /either one fused projection or separate q, k and v/);
    await refuses(weights, { q: 'nope.weight', k: `${at}key.weight`, v: `${at}value.weight` }, /no tensor nope\.weight/);
    await refuses(weights, { q: `${at}query.weight`, k: `${at}key.weight`, v: `${at}value.weight`, heads: 3 }, /32 outputs, not a multiple of the 3 heads/);
    await refuses(weights, { q: `${at}query.weight`, k: `${at}key.weight`, v: `${at}value.weight` }, /a projection of the input \(width 16\) is \[out, 16\] or \[16, out\]/, input.subarray(0, n * 16));
    await refuses(weights, { qkv: `${at}query.weight` }, /32 outputs, not 3 × heads × head size/);
    await refuses(weights, { q: `${at}query.weight`, k: `${at}key.weight`, v: `${at}value.weight` }, /the input has \d+ values, not \[5, d\]/, input.subarray(0, 7), 5);
    const odd = weightsInMemory(new Map([['k.weight', { shape: [12, D], data: new Float32Array(12 * D) }]]));
    const mixed: WeightProvider = { names: () => [...weights.names(), 'k.weight'], shape: (m) => (m === 'k.weight' ? odd.shape(m) : weights.shape(m)), read: (m) => (m === 'k.weight' ? odd.read(m) : weights.read(m)) };
    await refuses(mixed, { q: `${at}query.weight`, k: 'k.weight', v: `${at}value.weight` }, /k\.weight has 12 outputs but .*value\.weight has 32/);
  });
});
