import * as assert from 'assert';
import * as vscode from 'vscode';
import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { floats, readNpz } from '../support/npz';
import type { InspectorApi } from '../../src/extension/extension';

const EXT_ID = 'sparse-attention-inspector.sparse-attention-inspector';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Load Checkpoint… (real VS Code)', function () {
  this.timeout(120000);
  let api: InspectorApi;
  // The repository's tiny GPT-2 (written by torch with Hugging Face's names, test/fixtures/models/make.py).
  const root = path.resolve(vscode.workspace.workspaceFolders![0].uri.fsPath, '..');
  const folder = path.join(root, 'test/fixtures/models/gpt2');
  const text = fs.readFileSync(path.join(root, 'test/fixtures/models/text.txt'), 'utf8');

  before(async () => {
    api = (await vscode.extensions.getExtension(EXT_ID)!.activate()) as InspectorApi;
    // As a user would: the model code open, the inspector beside it (not in the editor's group, where
    // the next suite's editor would hide it).
    const model = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'sparse_model.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(model), vscode.ViewColumn.One);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("shows a real model's layer under the pattern with the share of its attention the pattern keeps", async () => {
    const before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.loadCheckpoint', vscode.Uri.file(folder), { layer: 1, text });
    await api.waitForRender((s) => s.config.n === 21 && s.config.heads === 4, { after: before, timeoutMs: 60000 });
    const sequence = api.currentState()?.sequence;
    assert.deepStrictEqual(sequence?.model, { name: 'GPT2LMHeadModel', layer: 1, path: vscode.workspace.asRelativePath(folder) });
    assert.strictEqual(sequence?.tokens.length, 21);
    // The pattern make.py measured coverage under: fixed l=4, c=1, 2 sub-blocks.
    const pattern = { pattern: 'fixed', stride: 4, c: 1, subblocks: 2, mode: 'merged', layer: 0, bidirectional: false };
    const beforeFixed = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.openInspector', pattern);
    await api.waitForRender((s) => (s.config as { stride?: number }).stride === 4 && s.errors.length === 0, { after: beforeFixed });
    let coverage = api.lastCoverage();
    for (let k = 0; k < 100 && (coverage?.mean === undefined || (coverage.config as { stride?: number }).stride !== 4); k++) {
      await sleep(100);
      coverage = api.lastCoverage();
    }
    const expected = floats(readNpz(path.join(root, 'test/fixtures/models/expected/gpt2.npz')), 'coverage_mean1');
    const layerMean = expected.reduce((a, b) => a + b, 0) / expected.length;
    assert.ok(Math.abs(coverage!.mean! - layerMean) < 1e-5, `layer mean ${coverage!.mean} vs PyTorch's ${layerMean}`);
    assert.match(coverage!.lines[0], /^GPT2LMHeadModel, layer 1: layer mean: \d+\.\d% of the attention mass is inside the pattern$/);
    assert.match(coverage!.lines[1], new RegExp(`^head 0 keeps ${(100 * expected[0]).toFixed(1)}% of its attention mass under fixed l=4 c=1 K=2`));
    // Export… JSON carries the coverage and says where the Q/K/V came from (not the numbers).
    const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sai-coverage-')), 'layer.json');
    await vscode.commands.executeCommand('sparseAttention.export', { format: 'json', path: json });
    const exported = JSON.parse(fs.readFileSync(json, 'utf8'));
    assert.strictEqual(exported.coverage.mean, coverage!.mean);
    assert.deepStrictEqual(exported.coverage.lines, coverage!.lines);
    assert.deepStrictEqual(exported.sequence.model, { name: 'GPT2LMHeadModel', layer: 1, path: vscode.workspace.asRelativePath(folder) });
    assert.deepStrictEqual(exported.sequence.qkv, { heads: 4, d: 8 });
    for (let k = 0; k < 100 && api.lastMaps()?.n !== 21; k++) await sleep(100);
    console.log('SCREENSHOT checkpoint-coverage');
    await sleep(2500);
  });

  it('a layer the model does not have is a clear error, nothing changes', async () => {
    const state = api.currentState();
    await vscode.commands.executeCommand('sparseAttention.loadCheckpoint', vscode.Uri.file(folder), { layer: 7, text });
    await sleep(500);
    assert.strictEqual(api.currentState(), state);
  });
});
