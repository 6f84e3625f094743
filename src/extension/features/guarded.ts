/** A command body whose failure is logged in full and shown in one line, never thrown into VS Code. */
import * as vscode from 'vscode';

export type Guard = (name: string, body: (...args: unknown[]) => unknown) => (...args: unknown[]) => Promise<void>;

export function guardWith(log: vscode.LogOutputChannel): Guard {
  return (name, body) =>
    async (...args) => {
      try {
        await body(...args);
      } catch (e) {
        log.error(`${name} failed: ${(e as Error).stack ?? e}`);
        void vscode.window.showErrorMessage(`Sparse Attention Inspector: ${(e as Error).message}`);
      }
    };
}
