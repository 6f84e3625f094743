/** `sparse-attn checkpoint list` through the shipped (minified) CLI: text, --json, and one-line refusals with exit 2. */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { join } from 'path';
import { productionCli } from '../support/productionCli';
import { CHECKPOINTS, EXPECTED } from '../support/checkpoints';

let cliPath: string;
function cli(...args: string[]) {
  return spawnSync(process.execPath, [cliPath, 'checkpoint', ...args], { encoding: 'utf8', timeout: 60000 });
}

describe('sparse-attn checkpoint list (built CLI)', function () {
  this.timeout(120000);
  before(async () => {
    cliPath = await productionCli();
  });

  it('prints the format, the config.json summary and every tensor of a model folder', () => {
    const r = cli('list', join(CHECKPOINTS, 'gpt2'));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /gpt2: safetensors \(model\.safetensors\)$/);
    assert.equal(lines[1], 'model: GPT2LMHeadModel (gpt2), 2 layers, 2 heads, head dim 4, hidden 8 (config.json)');
    assert.equal(lines[2], 'metadata: format=pt');
    assert.match(lines[3], /^30 tensors, 1,536 elements; read [\d,]+ bytes$/);
    assert.match(r.stdout, /^h\.1\.attn\.c_attn\.weight\s+F32\s+\[8, 24\]$/m);
    assert.match(r.stdout, /^h\.0\.attn\.bias\s+BOOL\s+\[1, 1, 8, 8\]$/m);
  });

  it('--json lists every tensor as the library wrote it, for each format', () => {
    for (const path of ['bert/pytorch_model.bin', 'gpt2-legacy.pt', 'bert-compressed.npz', 'numpy-dict-p2.pkl', 'sharded', 'views.safetensors']) {
      const r = cli('list', join(CHECKPOINTS, path), '--json');
      assert.equal(r.status, 0, r.stderr);
      const listed = JSON.parse(r.stdout);
      assert.equal(listed.format, EXPECTED[path].format);
      assert.deepEqual(listed.tensors, EXPECTED[path].tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })));
      assert.ok(listed.bytesRead > 0);
    }
    const bert = JSON.parse(cli('list', join(CHECKPOINTS, 'bert/pytorch_model.bin'), '--json').stdout);
    assert.deepEqual(bert.model, { architecture: 'BertModel', modelType: 'bert', layers: 2, heads: 2, hidden: 8, headDim: 4, source: 'config.json' });
    assert.equal(JSON.parse(cli('list', join(CHECKPOINTS, 'gpt2-legacy.pt'), '--json').stdout).model, null);
  });

  it('refuses a hostile or broken file with exit 2 and one line naming the reason', () => {
    const cases: [string, RegExp][] = [
      ['hostile/os-system.pt', /^sparse-attn checkpoint: os-system\.pt \(os-system\/data\.pkl\): refused global posix\.system: /],
      ['hostile/popen.pkl', /refused global subprocess\.Popen/],
      ['hostile/huge-storage.pt', /declares 1000000000000000 FloatStorage elements/],
      ['make.py', /make\.py is not a checkpoint the inspector reads/],
      ['no-such-file.pt', /cannot read .*no-such-file\.pt: ENOENT/],
    ];
    for (const [path, pattern] of cases) {
      const r = cli('list', join(CHECKPOINTS, path));
      assert.equal(r.status, 2, `${path}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr.trim(), pattern);
    }
    const usage = cli('show', 'x');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /checkpoint needs an action: checkpoint list PATH \[--json\], or checkpoint attend PATH --text "…" --layer K \(got "show"\)/);
  });
});
