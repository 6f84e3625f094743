// Entry point VS Code loads as extensionTestsPath: runs every *.test.js next to this file with
// mocha inside the real extension host. Output goes through console.log, which the workbench
// forwards to the browser console, where run-integration.js reads it.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: Number(process.env.SAI_MOCHA_TIMEOUT) || 60000,
    grep: process.env.SAI_VSCODE_GREP || undefined,
  });
  // The inspector's own suites expect a fresh panel (the settings' defaults, no sequence) and run
  // first; the feature suites after them leave their config, model or mask in the panel's state.
  const fresh = ['smoke.test.js', 'inspector.test.js'];
  const files = fs.readdirSync(__dirname).filter(f => f.endsWith('.test.js')).sort((a, b) => Number(fresh.includes(b)) - Number(fresh.includes(a)) || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(failures => {
        const passed = runner.stats?.passes ?? 0;
        console.log(`VSCODE-SUITE ${passed} passed, ${failures} failed`);
        // VS Code turns a rejection into exit code 1; the counts travel in the line above.
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      });
    } catch (err) {
      console.log('VSCODE-SUITE 0 passed, 1 failed');
      reject(err);
    }
  });
}
