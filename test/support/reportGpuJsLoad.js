'use strict';
// Preloaded with `node -r` into the built CLI: says on stderr when gpu.js is required, so a test can
// check that the CPU path never loads it (and a gpu.js backend does).
const Module = require('module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'gpu.js') process.stderr.write('[gpu.js loaded]\n');
  return load.call(this, request, ...rest);
};
