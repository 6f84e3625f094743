// Runs the unit suite with mocha's API so that the counts can be printed in the common format.
require('tsx/cjs');
const Mocha = require('mocha');
const path = require('path');
const fs = require('fs');

const mocha = new Mocha({ ui: 'bdd', timeout: 60000, reporter: 'spec' });
for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.ts')).sort()) mocha.addFile(path.join(__dirname, file));
const runner = mocha.run((failures) => {
  console.log(`${runner.stats.passes} passed, ${failures} failed`);
  // Exit now: a GPU device or worker handle must not keep the run alive (a hang would read as a timeout).
  process.exit(failures ? 1 : 0);
});
