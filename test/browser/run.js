// The browser suite (real headless Chromium): see test/support/run-mocha.js.
require('../support/run-mocha')(__dirname);
