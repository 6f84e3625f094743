/**
 * The Python to run a user's code with: the Python extension's selected interpreter for that file
 * when the extension is installed, else the `sparseAttention.pythonPath` setting, else python3.
 */
import * as vscode from 'vscode';

/** The part of the Python extension's API (ms-python.python, `environments`) read here. */
interface PythonEnvironmentsApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(environment: { path: string } | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  };
}

export async function pythonFor(resource: vscode.Uri, log: vscode.LogOutputChannel): Promise<{ python: string; from: string }> {
  const extension = vscode.extensions.getExtension<PythonEnvironmentsApi>('ms-python.python');
  if (extension) {
    try {
      const api = extension.isActive ? extension.exports : await extension.activate();
      const active = api.environments?.getActiveEnvironmentPath(resource);
      const resolved = active && (await api.environments!.resolveEnvironment(active));
      const executable = resolved?.executable.uri?.fsPath;
      if (executable) return { python: executable, from: 'the Python extension\'s selected interpreter' };
    } catch (e) {
      log.warn(`the Python extension did not give an interpreter: ${(e as Error).message}`);
    }
  }
  const configured = vscode.workspace.getConfiguration('sparseAttention', resource).get<string>('pythonPath', '').trim();
  if (configured) return { python: configured, from: 'sparseAttention.pythonPath' };
  return { python: process.platform === 'win32' ? 'python' : 'python3', from: 'the default (set sparseAttention.pythonPath to choose one)' };
}
