import * as assert from 'assert';
import * as vscode from 'vscode';
import type { InspectorApi } from '../../src/extension/extension';

const EXT_ID = 'sparse-attention-inspector.sparse-attention-inspector';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** The lenses VS Code shows on a file (it must be open: the workbench asks the open model). */
async function lensesOf(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  await vscode.workspace.openTextDocument(uri);
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  return lenses.filter((l) => l.command?.command === 'sparseAttention.inspectConfigAt');
}

describe('configs in the code beside the inspector (real VS Code)', function () {
  this.timeout(120000);
  let api: InspectorApi;
  const folder = () => vscode.workspace.workspaceFolders![0].uri;

  before(async () => {
    api = (await vscode.extensions.getExtension(EXT_ID)!.activate()) as InspectorApi;
  });

  after(async () => {
    // The scratch document is never saved.
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('puts a CodeLens with the config and its density above each config in the examples', async () => {
    const model = await lensesOf(vscode.Uri.joinPath(folder(), 'sparse_model.py'));
    assert.deepStrictEqual(model.map((l) => l.command!.title), ['Inspect fixed: n=256 l=32 c=4 K=4 · 4 heads · density 23.7%']);
    const wrong = await lensesOf(vscode.Uri.joinPath(folder(), 'summary_too_long.py'));
    assert.deepStrictEqual(wrong.map((l) => l.command!.title), ['Inspect fixed: n=4096 l=32 c=40 K=1 · 8 heads · invalid']);
    const deepspeed = await lensesOf(vscode.Uri.joinPath(folder(), 'ds_config.json'));
    assert.match(deepspeed[0].command!.title, /^Inspect deepspeed-fixed: n=\? B=16 local=4 global=1 different_layout_per_head patterns=4 · \? heads · density \?$/);
  });

  it('a CodeLens opens the inspector with exactly that config, and editing the numbers updates the maps', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: 'import torch\n\nattn = SparseAttention(\n    n=64,\n    l=8,\n    c=2,\n    heads=2,\n)\n' });
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const [lens] = await until('a lens on the scratch file', async () => (await lensesOf(document.uri))[0] && lensesOf(document.uri));
    assert.strictEqual(lens.range.start.line, 2);
    assert.strictEqual(lens.command!.title, 'Inspect fixed: n=64 l=8 c=2 K=1 · 2 heads · density 35.4%');
    const before = api.renderCount();
    await vscode.commands.executeCommand(lens.command!.command, ...lens.command!.arguments!);
    const shown = await api.waitForRender((s) => s.config.n === 64 && s.errors.length === 0, { after: before });
    assert.deepStrictEqual([shown.config.pattern, (shown.config as { stride: number }).stride, (shown.config as { c: number }).c, shown.config.heads], ['fixed', 8, 2, 2]);
    assert.deepStrictEqual(api.currentState()?.follows, { file: vscode.workspace.asRelativePath(document.uri), line: 3, unresolved: [] });
    // Edit l in the code: the maps follow (debounced), no command needed.
    const afterOpen = api.renderCount();
    await editor.edit((e) => e.replace(new vscode.Range(4, 6, 4, 7), '16'));
    const followed = await api.waitForRender((s) => (s.config as { stride?: number }).stride === 16, { after: afterOpen });
    assert.strictEqual((followed.config as { c: number }).c, 2);
    assert.strictEqual(vscode.window.activeTextEditor?.document, document, 'focus stays in the code');
  });

  it('an invalid config is a Problem on the argument at fault, and the quick fix clears it', async () => {
    const editor = vscode.window.activeTextEditor!;
    const document = editor.document;
    await editor.edit((e) => e.replace(new vscode.Range(5, 6, 5, 7), '40'));
    const [problem] = await until('the c > l problem', () => {
      const found = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'sparse-attn');
      return found.length ? found : undefined;
    });
    assert.strictEqual(problem.message, 'c (40) must be <= l (16)');
    assert.strictEqual(problem.code, 'c');
    assert.deepStrictEqual([problem.range.start.line, problem.range.start.character, problem.range.end.character], [5, 4, 8]);
    assert.strictEqual(problem.severity, vscode.DiagnosticSeverity.Error);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', document.uri, problem.range);
    const fix = actions.find((a) => a.title === 'Set c to 16 (= l)');
    assert.ok(fix, `quick fixes: ${actions.map((a) => a.title).join(', ')}`);
    const before = api.renderCount();
    assert.ok(await vscode.workspace.applyEdit(fix!.edit!));
    assert.strictEqual(document.lineAt(5).text, '    c=16,');
    await until('the problem to go away', () => vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'sparse-attn').length === 0);
    // The fixed config is valid again: the panel follows it.
    await api.waitForRender((s) => (s.config as { c?: number }).c === 16 && s.errors.length === 0, { after: before });
  });

  it('hovering the call shows its statistics and a thumbnail of its masks', async () => {
    const document = vscode.window.activeTextEditor!.document;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(3, 5));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /\*\*fixed: n=64 l=16 c=16 K=1 · 2 heads · density [\d.]+%\*\*/);
    assert.match(text, /!\[masks of every head\]\(data:image\/png;base64,[A-Za-z0-9+/=]+\)/);
  });

  it('shows the model code with its CodeLens beside the inspector (screenshot)', async () => {
    const uri = vscode.Uri.joinPath(folder(), 'sparse_model.py');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), vscode.ViewColumn.One);
    const [lens] = await lensesOf(uri);
    const before = api.renderCount();
    await vscode.commands.executeCommand(lens.command!.command, ...lens.command!.arguments!);
    await api.waitForRender((s) => s.config.n === 256 && s.errors.length === 0, { after: before });
    for (let k = 0; k < 100 && api.lastMaps()?.n !== 256; k++) await sleep(100);
    console.log('SCREENSHOT code-lens-beside-inspector');
    await sleep(2500);
  });
});
