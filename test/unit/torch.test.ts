import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildPattern, DeepSpeedBSLongformerConfig, DeepSpeedFixedConfig, DeepSpeedVariableConfig, defaultConfig, encodeNpy, FactorizedConfig, PatternConfig, toDense, torchSnippet } from '../../src/core';
import { run } from '../../src/cli/main';
import { pythonWith } from '../support/python';

const fixed = (over: Partial<FactorizedConfig>): FactorizedConfig => ({ ...(defaultConfig('fixed') as FactorizedConfig), ...over });
const ds = (over: Partial<DeepSpeedFixedConfig>): DeepSpeedFixedConfig => ({ ...(defaultConfig('deepspeed-fixed') as DeepSpeedFixedConfig), ...over });

/** Every preset, each mode and direction it supports. */
function cases(): Array<[string, PatternConfig]> {
  const list: Array<[string, PatternConfig]> = [];
  const base = { n: 70, stride: 8, c: 2, heads: 4 };
  for (const bidirectional of [false, true]) {
    for (const mode of ['merged', 'split', 'interleaved'] as const) {
      for (const layer of mode === 'interleaved' ? [0, 1] : [0]) {
        list.push([`fixed ${mode} ${layer} ${bidirectional}`, fixed({ ...base, subblocks: 3, mode, layer, bidirectional })]);
        list.push([`strided ${mode} ${layer} ${bidirectional}`, fixed({ ...base, pattern: 'strided', mode, layer, bidirectional })]);
      }
    }
    list.push([`local ${bidirectional}`, fixed({ ...base, pattern: 'local', bidirectional })]);
    list.push([`dense ${bidirectional}`, fixed({ ...base, pattern: 'dense', bidirectional })]);
    if (!bidirectional) list.push(['lra', fixed({ ...base, pattern: 'lra-fixed' })]); // LRA is causal only
    list.push([`fairseq ${bidirectional}`, fixed({ ...base, pattern: 'fairseq-fixed', bidirectional })]);
  }
  for (const mode of ['merged', 'split', 'interleaved'] as const) list.push([`jukebox ${mode}`, fixed({ ...base, n: 72, pattern: 'jukebox-summary', mode, layer: 1 })]); // n % l == 0
  list.push(['openai', { pattern: 'openai-fixed', n: 128, heads: 4, block: 8, stride: 32, numVerts: 2, vertsize: 2 }]);
  list.push(['deepspeed bidirectional', ds({ n: 112, heads: 2, horizontalGlobalAttention: true })]);
  list.push(['deepspeed unidirectional', ds({ n: 128, heads: 3, attention: 'unidirectional', numLocalBlocks: 4, numGlobalBlocks: 2, differentLayoutPerHead: true, numDifferentGlobalPatterns: 2 })]);
  const variable = defaultConfig('deepspeed-variable') as DeepSpeedVariableConfig;
  list.push(['deepspeed-variable', { ...variable, n: 160, localWindowBlocks: [2, 3], globalBlockIndices: [1, 7], attention: 'unidirectional' }]);
  list.push(['deepspeed-variable ranges', { ...variable, n: 160, block: 8, globalBlockIndices: [2, 9], globalBlockEndIndices: [4, 30], horizontalGlobalAttention: true }]);
  const longformer = defaultConfig('deepspeed-bslongformer') as DeepSpeedBSLongformerConfig;
  list.push(['deepspeed-bslongformer', { ...longformer, n: 192, numSlidingWindowBlocks: 4, globalBlockIndices: [0, 5], globalBlockEndIndices: [2, 7], attention: 'unidirectional' }]);
  list.push(['deepspeed-bslongformer single', { ...longformer, globalBlockIndices: [3] }]);
  list.push(['deepspeed-dense', defaultConfig('deepspeed-dense')]);
  return list;
}

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
