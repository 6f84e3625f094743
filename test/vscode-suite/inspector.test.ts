import * as assert from 'assert';
import * as vscode from 'vscode';
import * as fs from 'fs';
import * as os from 'os';
import { buildPattern, decodeNpy, toDense } from '../../src/core';
import { tokenize } from '../../src/core/tokenize';
import type { InspectorApi } from '../../src/extension/extension';

const EXT_ID = 'sparse-attention-inspector.sparse-attention-inspector';
/** Reads a field that only some presets have. */
const field = (config: object, key: string): unknown => (config as Record<string, unknown>)[key];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks the runner for a window screenshot and gives it time to be taken before the UI changes;
 * `hover` ([fx, fy]) first puts the mouse over the first map at those fractions of its size.
 */
async function screenshot(name: string, hover?: [number, number]): Promise<void> {
  console.log(`SCREENSHOT ${name}${hover ? ` hover=${hover.join(',')}` : ''}`);
  await sleep(hover ? 3500 : 2500);
}

function inspectorTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Sparse Attention Inspector');
}

describe('inspector in a real VS Code', function () {
  this.timeout(90000);
  let api: InspectorApi;
  let modelDoc: vscode.TextDocument;

  before(async () => {
    api = (await vscode.extensions.getExtension(EXT_ID)!.activate()) as InspectorApi;
    const folder = vscode.workspace.workspaceFolders![0].uri;
    modelDoc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'sparse_model.py'));
    await vscode.window.showTextDocument(modelDoc, vscode.ViewColumn.One);
  });

  it('Open Inspector shows the default masks beside the editor (n=256, l=32, c=4, 4 heads, distinct sub-blocks)', async () => {
    await vscode.commands.executeCommand('sparseAttention.openInspector');
    const summary = await api.waitForRender((s) => s.errors.length === 0);
    assert.deepStrictEqual(
      { pattern: summary.config.pattern, n: summary.config.n, heads: summary.config.heads },
      { pattern: 'fixed', n: 256, heads: 4 },
    );
    assert.deepStrictEqual(summary.nnz, [7808, 7808, 7808, 7808]);
    assert.strictEqual(summary.unionNnz, 18560, 'distinct sub-blocks: the union covers 4 summary strips per block');
    const tab = inspectorTab();
    assert.ok(tab, 'an inspector tab exists');
    assert.strictEqual(tab!.group.viewColumn, vscode.ViewColumn.Two, 'opened beside the editor');
    assert.strictEqual(vscode.window.activeTextEditor?.document, modelDoc, 'focus stays in the editor');
    // The maps are painted (after the worker pooled them) before the shot; the mouse rests on a map.
    for (let k = 0; k < 100 && api.lastMaps()?.n !== 256; k++) await sleep(100);
    await screenshot('inspector-beside-editor', [0.55, 0.7]);
  });

  it('computes attention inside the webview (CSP allows WebAssembly and the worker), on the backend the setting asks for', async () => {
    const waitForCompute = async (accept: (kernel: string) => boolean) => {
      for (let k = 0; k < 300; k++) {
        const compute = api.lastCompute();
        if (compute && accept(compute.kernel)) return compute;
        await sleep(100);
      }
      throw new Error(`no matching compute; last: ${JSON.stringify(api.lastCompute())}`);
    };
    const auto = await waitForCompute((kernel) => kernel === 'wasm-simd (worker)');
    assert.strictEqual(auto.backend, 'cpu');
    assert.match(auto.reason, /software renderer|no GPU adapter/);
    const settings = vscode.workspace.getConfiguration('sparseAttention');
    try {
      await settings.update('computeBackend', 'webgl2', vscode.ConfigurationTarget.Global);
      const forced = await waitForCompute((kernel) => kernel === 'WebGL2Kernel');
      assert.strictEqual(forced.backend, 'webgl2');
    } finally {
      await settings.update('computeBackend', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('draws the maps with the painter sparseAttention.mapRenderer asks for (WebGL2 inside the webview)', async () => {
    const waitForMaps = async (renderer: string) => {
      for (let k = 0; k < 300 && api.lastMaps()?.renderer !== renderer; k++) await sleep(100);
      assert.strictEqual(api.lastMaps()?.renderer, renderer, JSON.stringify(api.lastMaps()));
    };
    await waitForMaps('canvas2d'); // auto, on SwiftShader
    const settings = vscode.workspace.getConfiguration('sparseAttention');
    try {
      await settings.update('mapRenderer', 'webgl2', vscode.ConfigurationTarget.Global);
      await waitForMaps('webgl2');
    } finally {
      await settings.update('mapRenderer', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitForMaps('canvas2d');
  });

  it('reuses one panel and updates live when the config changes', async () => {
    const before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.openInspector', { n: 128, stride: 16, c: 2 });
    const summary = await api.waitForRender((s) => s.config.n === 128, { after: before });
    assert.strictEqual(field(summary.config, 'stride'), 16);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Sparse Attention Inspector');
    assert.strictEqual(tabs.length, 1);
  });

  it('keeps its state when hidden and shown again', async () => {
    const scratch = await vscode.workspace.openTextDocument({ content: 'hide the inspector', language: 'plaintext' });
    await vscode.window.showTextDocument(scratch, vscode.ViewColumn.Two);
    for (let k = 0; k < 50 && api.isVisible(); k++) await sleep(100);
    assert.strictEqual(api.isVisible(), false, 'the panel is hidden behind another editor');
    const before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.openInspector');
    const summary = await api.waitForRender(() => true, { after: before });
    assert.strictEqual(summary.config.n, 128, 'the reloaded webview got its state back');
    assert.strictEqual(field(summary.config, 'stride'), 16);
    assert.strictEqual(api.isVisible(), true);
    // Close the scratch editor without saving (in its own column, so no second tab opens for it):
    // later screenshots must not show a test's tab.
    const scratchTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === scratch.uri.toString());
    for (let k = 0; k < 3 && scratchTabs().length; k++) {
      await vscode.window.showTextDocument(scratch, scratchTabs()[0].group.viewColumn);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      for (let t = 0; t < 30 && scratchTabs().length; t++) await sleep(100);
    }
    assert.strictEqual(scratchTabs().length, 0, 'the scratch tab is gone');
    await vscode.commands.executeCommand('sparseAttention.openInspector');
  });

  it('Inspect Selection as Sequence uses the selected tokens as the sequence', async () => {
    const editor = await vscode.window.showTextDocument(modelDoc, vscode.ViewColumn.One);
    const line = modelDoc.lineAt(0);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    const tokens = tokenize(line.text, 'gpt2');
    const before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.inspectSelection');
    const summary = await api.waitForRender((s) => s.config.n === tokens.length, { after: before });
    assert.strictEqual(summary.config.n, tokens.length);
    assert.deepStrictEqual(api.currentState()?.sequence?.tokens, tokens);
    assert.match(api.currentState()!.sequence!.source, /sparse_model\.py \(gpt2 tokens\)/);
  });

  it('pasted Q/K/V reach the webview as Float32Arrays and drive its attention; the host keeps them, the webview a reference', async () => {
    const text = JSON.stringify({ q: [[0, 0], [0, 0], [0, 0], [1, 2]], k: [[1, 0], [0, 1], [1, 1], [2, 0]], v: [[1, 0], [0, 1], [2, 2], [3, 1]] });
    const before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.pasteSequence', { text, kind: 'qkv' });
    // The webview sets n from the sequence only if it accepted the message (tensors included).
    await api.waitForRender((s) => s.config.n === 4, { after: before });
    for (let k = 0; k < 100 && api.lastCompute()?.n !== 4; k++) await sleep(100);
    assert.strictEqual(api.lastCompute()?.n, 4, 'attention computed on the pasted numbers');
    const sequence = api.currentState()!.sequence!;
    assert.match(sequence.source, /pasted text \(Q\/K\/V \[4, 2\], shared by every head\)/);
    assert.ok(sequence.qkv!.q instanceof Float32Array, 'the host holds the numbers');
    assert.match(sequence.bulkId ?? '', /^[\w-]+$/, 'by reference in the webview');
  });

  it('GPT-2 tokens of a real text label a 256-token map of attention weights (screenshot)', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'sequence.txt'));
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(doc.getText().length));
    let before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.inspectSelection');
    await api.waitForRender((s) => s.config.n > 256, { after: before });
    before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.openInspector', { n: 256, stride: 32, c: 4, heads: 4, subblocks: 4 });
    await api.waitForRender((s) => s.config.n === 256, { after: before });
    for (let k = 0; k < 100 && api.lastCompute()?.n !== 256; k++) await sleep(100);
    assert.strictEqual(api.lastCompute()?.n, 256);
    assert.ok(api.currentState()!.sequence!.tokens.length > 256);
    for (let k = 0; k < 100 && !(api.lastMaps()?.n === 256 && api.lastMaps()?.kind === 'weights'); k++) await sleep(100);
    await screenshot('inspector-gpt2-n256', [0.2, 0.25]);
  });

  it('n = 16384 draws and computes without an n×n buffer (screenshot)', async () => {
    const before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.openInspector', { n: 16384, stride: 128, c: 8, heads: 4, subblocks: 4 });
    const summary = await api.waitForRender((s) => s.config.n === 16384, { after: before, timeoutMs: 60000 });
    assert.deepStrictEqual(summary.errors, []);
    for (let k = 0; k < 600 && api.lastCompute()?.n !== 16384; k++) await sleep(100);
    assert.strictEqual(api.lastCompute()?.n, 16384, 'attention computed in the worker');
    // 4 heads × 16384 rows hold more probabilities than travel to the page (8M): the worker pools
    // the weights of the view on demand, and the maps show them once it answers.
    for (let k = 0; k < 600 && !(api.lastMaps()?.n === 16384 && api.lastMaps()?.kind === 'weights'); k++) await sleep(100);
    assert.deepStrictEqual(api.lastMaps(), { n: 16384, kind: 'weights', renderer: 'canvas2d', pooledOn: 'worker', span: 16384 });
    await screenshot('inspector-n16384');
    await vscode.commands.executeCommand('sparseAttention.openInspector', { n: 256, stride: 32, c: 4, heads: 4, subblocks: 4 });
  });

  it('an impossible config is reported, not crashed on, and the panel keeps working', async () => {
    await assert.doesNotReject(Promise.resolve(vscode.commands.executeCommand('sparseAttention.openInspector', { c: 99, stride: 8 })));
    assert.notStrictEqual(field(api.currentState()!.config, 'c'), 99, 'the bad config was refused');
    const before = api.renderCount();
    await vscode.commands.executeCommand('sparseAttention.openInspector', { n: 256, stride: 32, c: 4, heads: 4, subblocks: 4 });
    await api.waitForRender((s) => s.config.n === 256 && s.errors.length === 0, { after: before });
  });

  it('Copy PyTorch Snippet puts Python that builds the current mask on the clipboard', async () => {
    await vscode.commands.executeCommand('sparseAttention.copyTorchSnippet');
    const text = await vscode.env.clipboard.readText();
    const config = api.currentState()!.config;
    assert.match(text, /^# fixed attention mask/);
    assert.match(text, new RegExp(`n, H, l, c, K = ${config.n}, ${config.heads}, `));
    assert.match(text, /assert mask\.shape ==/);
  });

  it('Export writes PNG (view, full mask, full map as shown), SVG (masks, maps as shown), .npy mask and probabilities, JSON and the PyTorch snippet', async () => {
    const config = api.currentState()!.config;
    const dir = fs.mkdtempSync(`${os.tmpdir()}/sai-export-`);
    const write = async (format: string, name: string) => {
      const path = `${dir}/${name}`;
      await vscode.commands.executeCommand('sparseAttention.export', { format, path });
      assert.ok(fs.existsSync(path), `${format} written`);
      return fs.readFileSync(path);
    };
    const mask = decodeNpy(await write('mask-npy', 'mask.npy'));
    assert.deepStrictEqual(mask.shape, [4, 256, 256]);
    // A scripted export never replaces a file: the one just written stays as it was.
    const before = fs.readFileSync(`${dir}/mask.npy`);
    await vscode.commands.executeCommand('sparseAttention.export', { format: 'json', path: `${dir}/mask.npy` });
    assert.ok(fs.readFileSync(`${dir}/mask.npy`).equals(before), 'an existing file is not overwritten');
    // A relative path is the workspace's, not the file system root's.
    const relative = `sai-export-${process.pid}.json`;
    const inWorkspace = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, relative).fsPath;
    try {
      await vscode.commands.executeCommand('sparseAttention.export', { format: 'json', path: relative });
      assert.ok(fs.existsSync(inWorkspace), 'written in the workspace folder');
      assert.ok(!fs.existsSync(`/${relative}`), 'not at the root');
    } finally {
      fs.rmSync(inWorkspace, { force: true });
    }
    assert.ok(Buffer.from(mask.data).equals(Buffer.from(toDense(buildPattern(config)))));
    const probs = decodeNpy(await write('probs-npy', 'probs.npy'));
    assert.deepStrictEqual([probs.dtype, ...probs.shape], ['<f4', 4, 256, 256]);
    const values = new Float32Array(Uint8Array.from(probs.data).buffer);
    let rowSum = 0;
    for (let j = 0; j < 256; j++) rowSum += values[100 * 256 + j];
    assert.ok(Math.abs(rowSum - 1) < 1e-5, `a row sums to ${rowSum}`);
    const json = JSON.parse((await write('json', 'view.json')).toString());
    assert.strictEqual(json.stats.union.nnz, 18560);
    assert.match((await write('svg', 'mask.svg')).toString(), /^<svg [^>]*>[\s\S]*head 3/);
    assert.match((await write('svg-view', 'view.svg')).toString(), /^<svg [^>]*>\n<title>fixed n=256, 4 heads: (attention weights, log scale|masks) \(max-pooled: 128x128 blocks of 256x256 cells\)<\/title>[\s\S]*head 3/);
    assert.match((await write('torch', 'mask.py')).toString(), /^# fixed attention mask/);
    const png = await write('png', 'view.png');
    assert.strictEqual(png.subarray(1, 4).toString(), 'PNG');
    assert.strictEqual(png.readUInt32BE(16), 5 * 256 + 4 * 8, 'four heads and the union, side by side');
    await vscode.commands.executeCommand('sparseAttention.export', { format: 'png-full', path: `${dir}/full.png`, resolution: 256 });
    const full = fs.readFileSync(`${dir}/full.png`);
    assert.deepStrictEqual([full.readUInt32BE(16), full.readUInt32BE(20)], [4 * 256 + 3 * 4, 256], 'four heads at 256 px');
    // The whole map as the panel shows it, from the webview: 5 maps at 128 px in a 3-column grid.
    await vscode.commands.executeCommand('sparseAttention.export', { format: 'png-full-view', path: `${dir}/full-view.png`, resolution: 128 });
    const fullView = fs.readFileSync(`${dir}/full-view.png`);
    // Below them the footer: a legend row and three lines (config, view, where the weights come from),
    // as wide as its longest line.
    assert.ok(fullView.readUInt32BE(16) >= 3 * 136 - 8, 'at least the 3-column grid');
    assert.strictEqual(fullView.readUInt32BE(20), 2 * 152 - 8 + 4 * 15 + 8);
  });

  it('follows the colour theme: dark and high contrast', async () => {
    const workbench = vscode.workspace.getConfiguration('workbench');
    try {
      for (const [theme, shot] of [
        ['Default Dark Modern', 'inspector-dark'],
        ['Default High Contrast', 'inspector-high-contrast'],
      ]) {
        const before = api.renderCount();
        await workbench.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
        const summary = await api.waitForRender(() => true, { after: before });
        assert.deepStrictEqual(summary.errors, []);
        await screenshot(shot);
      }
    } finally {
      await workbench.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
