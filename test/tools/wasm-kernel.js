// Assembles src/core/attention/kernel.wat into kernel-wasm.ts (base64), so that the core stays pure
// TypeScript with no file access at run time. `npm run kernel` runs it after kernel.wat changes; a unit
// test fails if the committed file and the assembled one drift apart (the build never runs it).
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '../../src/core/attention');

async function assemble() {
  const wabt = await require('wabt')();
  const source = fs.readFileSync(path.join(DIR, 'kernel.wat'), 'utf8');
  const module = wabt.parseWat('kernel.wat', source, { simd: true });
  module.validate();
  return Buffer.from(module.toBinary({}).buffer);
}

function render(bytes) {
  return `// Generated from kernel.wat by test/tools/wasm-kernel.js (npm run kernel): do not edit.\nexport const KERNEL_WASM_BASE64 =\n  '${bytes.toString('base64')}';\n`;
}

/** Rewrites kernel-wasm.ts only when the assembled bytes changed. */
async function writeKernel() {
  const target = path.join(DIR, 'kernel-wasm.ts');
  const text = render(await assemble());
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
}

module.exports = { assemble, render, writeKernel, KERNEL_TS: path.join(DIR, 'kernel-wasm.ts') };
