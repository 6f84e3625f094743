/**
 * Compare Mask File…'s reading: a model's DeepSpeed `master_layout` buffer saved by torch.save (the
 * layout DeepSpeed's own sparsity_config.py makes), an additive float mask in an .npz, a .npy.
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildPattern, checkLayout, defaultConfig, encodeNpy, FactorizedConfig, PatternConfig, toDense } from '../../src/core';
import { readMaskFile } from '../../src/extension/maskFiles';
import { pythonWith } from '../support/python';

describe('mask and layout files (Compare Mask File…)', function () {
  this.timeout(120000);
  const dir = mkdtempSync(join(tmpdir(), 'mask-files-'));
  const neverAsked = async (): Promise<string | undefined> => assert.fail('asked which tensor');

  it("finds DeepSpeed's master_layout in a torch checkpoint and compares it block by block with deepspeed-fixed", async function () {
    const torch = pythonWith('torch');
    if (!torch) this.skip();
    const script = `
import os, sys, torch
sys.path.insert(0, os.path.join(${JSON.stringify(join(__dirname, '../peers/deepspeed'))}))
import sparsity_config as ds
layout = ds.FixedSparsityConfig(num_heads=4, block=16, num_local_blocks=4, num_global_blocks=1).make_layout(256)
torch.save({'bert.encoder.layer.0.attention.self.sparse_self_attention.master_layout': layout,
            'bert.encoder.layer.0.attention.self.query.weight': torch.randn(16, 16)}, sys.argv[1])
`;
    const file = join(dir, 'deepspeed_model.pt');
    const made = spawnSync(torch!, ['-c', script, file], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const read = await readMaskFile(file, neverAsked);
    assert.equal(read!.what, 'deepspeed_model.pt: bert.encoder.layer.0.attention.self.sparse_self_attention.master_layout');
    assert.deepEqual(read!.shape, [4, 16, 16]);
    const config = { ...defaultConfig('deepspeed-fixed'), n: 256, heads: 4, block: 16, numLocalBlocks: 4, numGlobalBlocks: 1 } as PatternConfig;
    const layout = buildPattern(config).layout!;
    assert.deepEqual(checkLayout(read!.cells, 4, layout, read!.what), { identical: true, lines: [`identical: ${read!.what} equals the layout of the pattern (4 heads, 16 × 16 blocks of 16)`] });
    const other = buildPattern({ ...config, numLocalBlocks: 2 } as PatternConfig).layout!;
    const diff = checkLayout(read!.cells, 4, other, read!.what);
    assert.equal(diff.identical, false);
    // Counted directly: blocks only in the pattern (missing from theirs) and only in theirs (extra).
    const per = 16 * 16;
    for (let h = 0; h < 4; h++) {
      let missing = 0;
      let extra = 0;
      for (let k = 0; k < per; k++) {
        if (other.data[h * per + k] && !read!.cells[h * per + k]) missing++;
        if (!other.data[h * per + k] && read!.cells[h * per + k]) extra++;
      }
      assert.match(diff.lines[h], new RegExp(`^head ${h}: ${missing} blocks missing, ${extra} extra; first: \\(0,\\d+\\) (missing|extra)`));
    }
  });

  it('asks which tensor when several are mask-shaped and none is named like one', async () => {
    const python = pythonWith('numpy');
    const file = join(dir, 'two.npz');
    const made = spawnSync(python!, ['-c', 'import numpy as np, sys; np.savez(sys.argv[1], a=np.eye(4, dtype=bool), b=np.ones((4, 4), dtype=np.int64))', file], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    let offered: string[] = [];
    const read = await readMaskFile(file, async (names) => ((offered = names), 'b'));
    assert.deepEqual(offered, ['a', 'b']);
    assert.deepEqual([...read!.cells], new Array(16).fill(1));
  });

  it('reads an additive float mask (0 allowed, -inf masked) as its zeros and says so; refuses other floats', async () => {
    const python = pythonWith('numpy');
    const config = { ...(defaultConfig('fixed') as FactorizedConfig), n: 32, heads: 1, stride: 8, c: 2 };
    const dense = toDense(buildPattern(config));
    writeFileSync(join(dir, 'dense.npy'), encodeNpy('|u1', [1, 32, 32], dense));
    const script = `import numpy as np, sys
m = np.load(sys.argv[1])
np.savez(sys.argv[2], attention_mask=np.where(m == 1, 0.0, -np.inf).astype(np.float32))
np.savez(sys.argv[3], attention_mask=np.where(m == 1, 0.5, 0.0).astype(np.float32))`;
    const made = spawnSync(python!, ['-c', script, join(dir, 'dense.npy'), join(dir, 'additive.npz'), join(dir, 'halves.npz')], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const read = await readMaskFile(join(dir, 'additive.npz'), neverAsked);
    assert.deepEqual(read!.shape, [32, 32]);
    assert.deepEqual(read!.cells, dense);
    assert.equal(read!.note, 'read as an additive mask: 0 is allowed');
    await assert.rejects(readMaskFile(join(dir, 'halves.npz'), neverAsked), /halves\.npz: attention_mask holds 0\.5 at flat index 0; a mask holds only 0 and 1/);
    const npy = await readMaskFile(join(dir, 'dense.npy'), neverAsked);
    assert.deepEqual(npy!.shape, [32, 32]);
    assert.deepEqual(npy!.cells, dense);
  });
});
