import * as assert from 'assert';
import * as vscode from 'vscode';

const EXT_ID = 'sparse-attention-inspector.sparse-attention-inspector';

describe('smoke: extension in a real VS Code', () => {
  it('is installed and activates', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} not found`);
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('registers sparseAttention.openInspector', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('sparseAttention.openInspector'), 'command sparseAttention.openInspector missing');
    // Asks run-integration.js (--screenshot-hook) for a picture of the window at this point.
    console.log('SCREENSHOT smoke-activated');
  });
});
