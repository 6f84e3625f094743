/** The inspector page: a strict CSP with a nonce, only the extension's own scripts and styles. */
import * as vscode from 'vscode';

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let k = 0; k < 32; k++) out += chars.charAt(Math.floor(Math.random() * chars.length));
  return out;
}

export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function inspectorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'inspector.css'));
  const worker = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'attention-worker.js'));
  const n = nonce();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    // WebAssembly (the SIMD kernel, gpu.js webasm) needs wasm-unsafe-eval, never unsafe-eval.
    `script-src 'nonce-${n}' 'wasm-unsafe-eval'`,
    // The CPU worker is fetched from dist/ and started from a blob (workers cannot be cross-origin).
    `connect-src ${webview.cspSource}`,
    'worker-src blob:',
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style}">
  <title>Sparse Attention Inspector</title>
</head>
<body>
  <main id="app" aria-busy="true" data-worker-url="${worker}">Loading the inspector…</main>
  <script nonce="${n}" src="${script}"></script>
</body>
</html>`;
}
