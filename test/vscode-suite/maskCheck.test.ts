import * as assert from 'assert';
import * as vscode from 'vscode';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildPattern, encodeNpy, toDense } from '../../src/core';
import type { InspectorApi } from '../../src/extension/extension';

const EXT_ID = 'sparse-attention-inspector.sparse-attention-inspector';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('your own mask, checked against the pattern (real VS Code)', function () {
  this.timeout(120000);
  let api: InspectorApi;
  let uri: vscode.Uri;

  before(async () => {
    api = (await vscode.extensions.getExtension(EXT_ID)!.activate()) as InspectorApi;
    // Debian's python3 has NumPy (the runner's pyenv python may not).
    await vscode.workspace.getConfiguration('sparseAttention').update('pythonPath', '/usr/bin/python3', vscode.ConfigurationTarget.Global);
    uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'custom_masks.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('sparseAttention').update('pythonPath', undefined, vscode.ConfigurationTarget.Global);
  });

  /** Waits for the check of `what` (a new one: `previous` is the result before the command). */
  async function checked(previous: unknown, what: RegExp) {
    for (let k = 0; k < 600; k++) {
      const last = api.lastMaskCheck();
      if (last && last !== previous && what.test(last.what)) return last;
      await sleep(100);
    }
    throw new Error(`no check of ${what} (last: ${JSON.stringify(api.lastMaskCheck())})`);
  }

  it('puts "Check against fixed pattern…" above each mask function, on its def line', async () => {
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)).filter((l) => l.command?.command === 'sparseAttention.checkMaskFunction');
    const text = fs.readFileSync(uri.fsPath, 'utf8').split('\n');
    assert.deepStrictEqual(
      lenses.map((l) => [l.command!.title, text[l.range.start.line].slice(0, 24)]),
      [
        ['Check against fixed pattern…', 'def paper_fixed_mask(seq'],
        ['Check against fixed pattern…', 'def lra_style_mask(seq_l'],
      ],
    );
  });

  it("runs the LRA port's mask function, names the known port and shows the difference on the maps", async () => {
    const previous = api.lastMaskCheck();
    await vscode.commands.executeCommand('sparseAttention.checkMaskFunction', uri, 'lra_style_mask', { pattern: 'fixed' });
    const result = await checked(previous, /^lra_style_mask\(/);
    assert.strictEqual(result.what, 'lra_style_mask(seq_len=64, stride=8, c=2)');
    assert.deepStrictEqual([result.config.n, (result.config as { stride: number }).stride, (result.config as { c: number }).c, result.config.heads], [64, 8, 2, 1]);
    assert.strictEqual(result.identical, false);
    assert.strictEqual(result.match, 'lra-fixed');
    assert.match(result.lines[0], /^head 0: 0 missing, \d+ extra; first: \(8,0\) extra/);
    assert.match(result.lines[1], /^matches lra-fixed: .*c\+1 cells/);
    for (let k = 0; k < 300 && api.lastMaps()?.compared !== result.what; k++) await sleep(100);
    assert.deepStrictEqual({ kind: api.lastMaps()?.kind, compared: api.lastMaps()?.compared, n: api.lastMaps()?.n }, { kind: 'diff', compared: result.what, n: 64 });
  });

  it("says the paper's own mask function is identical", async () => {
    const previous = api.lastMaskCheck();
    await vscode.commands.executeCommand('sparseAttention.checkMaskFunction', uri, 'paper_fixed_mask', { pattern: 'fixed' });
    const result = await checked(previous, /^paper_fixed_mask\(/);
    assert.deepStrictEqual(result.lines, ['identical: paper_fixed_mask(seq_len=64, stride=8, c=2) equals fixed (n=64, 1 heads)']);
  });

  it('Compare Mask File… checks a saved mask against the pattern', async () => {
    const config = { pattern: 'fixed', n: 32, heads: 2, stride: 8, c: 2, subblocks: 2, mode: 'merged', layer: 0, bidirectional: false } as const;
    const cells = toDense(buildPattern(config));
    cells[2 * 32 * 32 - 1] = 0; // head 1 loses its last diagonal cell
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mask-file-')), 'their_mask.npy');
    fs.writeFileSync(file, encodeNpy('|b1', [2, 32, 32], cells));
    const previous = api.lastMaskCheck();
    await vscode.commands.executeCommand('sparseAttention.compareMaskFile', vscode.Uri.file(file), { config });
    const result = await checked(previous, /^their_mask\.npy$/);
    assert.deepStrictEqual(result.lines, ['head 0: 0 missing, 0 extra', 'head 1: 1 missing, 0 extra; first: (31,31) missing', 'no known port explains the difference']);
  });
});
