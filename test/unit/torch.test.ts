import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildPattern, encodeNpy, toDense, torchSnippet } from '../../src/core';
import { run } from '../../src/cli/main';
import { pythonWith } from '../support/python';
import { snippetCases as cases } from '../support/snippetCases';

describe('PyTorch snippet', function () {
  this.timeout(120000);

  it('for every preset, running the snippet builds a mask equal to ours', function () {
    const python = pythonWith('torch', 'numpy');
    if (!python) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'sai-torch-'));
    const all = cases();
    all.forEach(([, config], k) => {
      const mask = buildPattern(config);
      writeFileSync(join(dir, `${k}.py`), torchSnippet(config));
      writeFileSync(join(dir, `${k}.npy`), encodeNpy('|u1', [mask.heads.length, mask.n, mask.n], toDense(mask)));
    });
    const script = `
import numpy as np, torch, sys
bad = []
for k in range(${all.length}):
    scope = {}
    exec(open(f"${dir}/{k}.py").read(), scope)
    ours = torch.from_numpy(np.load(f"${dir}/{k}.npy")).bool()
    if scope["mask"].shape != ours.shape or not torch.equal(scope["mask"], ours):
        bad.append(k)
print(",".join(map(str, bad)))`;
    const bad = execFileSync(python!, ['-c', script]).toString().trim();
    assert.equal(bad, '', `snippets that differ: ${bad.split(',').map((k) => all[Number(k)]?.[0]).join('; ')}`);
  });

  it('the snippet needs only torch', () => {
    for (const [, config] of cases()) assert.doesNotMatch(torchSnippet(config), /numpy|import np/);
  });

  it('sparse-attn mask --format torch prints it, and refuses an impossible config', async () => {
    const out: string[] = [];
    const err: string[] = [];
    assert.equal(await run(['mask', '--format', 'torch', '--n', '64', '--stride', '16', '--c', '2', '--heads', '2'], (l) => out.push(l), (l) => err.push(l)), 0);
    assert.match(out.join('\n'), /^# fixed attention mask/);
    assert.match(out.join('\n'), /mask\[h\] = A1\(\) \| A2\(h % K\)/);
    assert.equal(await run(['mask', '--format', 'torch', '--c', '99'], (l) => out.push(l), (l) => err.push(l)), 2);
    assert.match(err.join('\n'), /c \(99\) must be <= l \(32\)/);
  });
});
