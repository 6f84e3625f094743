import { strict as assert } from 'assert';
import { mkdtempSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildPattern, defaultConfig, FactorizedConfig, toDense } from '../../src/core';
import { PythonMaskError, runPythonMask } from '../../src/extension/pythonMask';
import { pythonWith } from '../support/python';

// The user's own mask functions, run the way "Check against pattern…" runs them.
const SOURCE = `
import time
import numpy as np
CANARY = __file__ + ".imported"
open(CANARY, "w").close()

def fixed_mask(n, l=8, c=2):
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    return (j <= i) & ((i // l == j // l) | (j % l >= l - c))

def additive_mask(n, l=8, c=2):
    return np.where(fixed_mask(n, l, c), 0.0, -np.inf).astype(np.float32)[None, None]

def counts_mask(n):
    return np.full((n, n), 0.5)

def broken_mask(n):
    return undefined_name

def slow_mask(n):
    time.sleep(60)

def greedy_mask(n):
    return np.ones((1 << 36,), dtype=np.uint8)
`;

const TORCH_SOURCE = `
import torch
def torch_mask(seq_len, l=8, c=2):
    i = torch.arange(seq_len)[:, None]
    j = torch.arange(seq_len)[None, :]
    return ((j <= i) & ((i // l == j // l) | (j % l >= l - c)))[None, None]
`;

describe("a user's Python mask function, run", function () {
  this.timeout(120000);
  const python = pythonWith('numpy');
  const torchPython = pythonWith('numpy', 'torch');
  const folder = mkdtempSync(join(tmpdir(), 'python-mask-'));
  const file = join(folder, 'masks.py');
  writeFileSync(file, SOURCE);
  const expected = toDense(buildPattern({ ...(defaultConfig('fixed') as FactorizedConfig), n: 32, stride: 8, c: 2, heads: 1 }));
  const request = (functionName: string, extra: object = {}) => ({ python: python!, file, functionName, kwargs: { n: 32 }, timeoutMs: 30000, memoryBytes: 2 ** 32, ...extra });

  before(function () {
    if (!python) this.skip();
  });

  it('imports the file beside it and returns exactly what the function built', async () => {
    const mask = await runPythonMask(request('fixed_mask'));
    assert.deepEqual(mask.shape, [32, 32]);
    assert.deepEqual(mask.cells, expected);
    assert.equal(mask.note, undefined);
    assert.ok(existsSync(`${file}.imported`));
  });

  it('reads an additive float mask [1, 1, n, n] as its zeros, and says so', async () => {
    const mask = await runPythonMask(request('additive_mask'));
    assert.deepEqual(mask.shape, [1, 32, 32]);
    assert.deepEqual(mask.cells, expected);
    assert.match(mask.note!, /additive mask: 0 is allowed, -inf masked/);
  });

  it('moves a torch tensor to NumPy', async function () {
    if (!torchPython) this.skip();
    const torchFile = join(folder, 'torch_masks.py');
    writeFileSync(torchFile, TORCH_SOURCE);
    const mask = await runPythonMask({ ...request('torch_mask'), python: torchPython!, file: torchFile, kwargs: { seq_len: 32 }, memoryBytes: 2 ** 34 });
    assert.deepEqual(mask.cells, expected);
  });

  it('refuses values that are not a mask, naming them', async () => {
    await assert.rejects(runPythonMask(request('counts_mask')), /counts_mask returned floats other than 0\/1 or an additive 0\/-inf mask: \[0\.5\]/);
  });

  it("says the Python error's last line", async () => {
    await assert.rejects(runPythonMask(request('broken_mask')), (e: unknown) => e instanceof PythonMaskError && /^broken_mask\(n=32\) failed in .*: NameError: name 'undefined_name' is not defined$/.test(e.message) && /Traceback/.test(e.detail));
  });

  it('stops a function past its time limit', async () => {
    const started = Date.now();
    await assert.rejects(runPythonMask(request('slow_mask', { timeoutMs: 1500 })), /slow_mask\(n=32\) did not return within 1\.5 s/);
    assert.ok(Date.now() - started < 10000);
  });

  it('stops a function past its memory limit', async () => {
    await assert.rejects(runPythonMask(request('greedy_mask', { memoryBytes: 2 ** 31 })), /MemoryError.*limit is 2\.0 GiB of address space/);
  });

  it('stops on cancel', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    await assert.rejects(runPythonMask(request('slow_mask', { signal: controller.signal })), /^PythonMaskError: cancelled$|cancelled/);
  });

  it('says how to choose an interpreter when it cannot start one', async () => {
    await assert.rejects(runPythonMask(request('fixed_mask', { python: '/nonexistent/python3' })), /could not start Python "\/nonexistent\/python3": .*sparseAttention\.pythonPath/);
  });
});
