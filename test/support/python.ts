/** Finds a python3 that can import the given modules (pyenv's python may lack Debian's numpy/torch). */
import { spawnSync } from 'child_process';

const CANDIDATES = [process.env.SAI_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);

export function pythonWith(...modules: string[]): string | undefined {
  const code = modules.map((m) => `import ${m}`).join('; ');
  return CANDIDATES.find((python) => spawnSync(python, ['-c', code]).status === 0);
}
