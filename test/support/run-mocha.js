// Runs the *.test.ts files of one folder with mocha's API and prints "N passed, N failed, N skipped"
// (a test skips when a tool it needs is missing: torch, SwiftShader's Vulkan, prlimit).
require('tsx/cjs');
const Mocha = require('mocha');
const path = require('path');
const fs = require('fs');

module.exports = function runFolder(dir) {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, reporter: 'spec' });
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort()) mocha.addFile(path.join(dir, file));
  const runner = mocha.run((failures) => {
    console.log(`${runner.stats.passes} passed, ${failures} failed, ${runner.stats.pending} skipped`);
    // Exit now: a GPU device or worker handle must not keep the run alive (a hang would read as a timeout).
    process.exit(failures ? 1 : 0);
  });
};
