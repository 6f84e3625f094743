import * as assert from 'assert';
import * as vscode from 'vscode';
describe('tmp harness checks', () => {
  it('opens the webview', async () => {
    await vscode.commands.executeCommand('sparseAttention.openInspector');
    await new Promise(r => setTimeout(r, 3000));
    console.log('SCREENSHOT webview-open');
    console.warn('a warning from the ext host', { n: 1 });
    console.error('an error from the ext host');
    console.debug('a debug line');
  });
  it('fails on purpose', () => { assert.strictEqual(1 + 1, 3); });
});
