// The unit suite (Node): see test/support/run-mocha.js.
require('../support/run-mocha')(__dirname);
