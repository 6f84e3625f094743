// Assembles the WebAssembly text modules into TypeScript files holding their bytes as base64, so that
// the core and the model stay pure TypeScript with no file access at run time: src/core/attention/
// kernel.wat into kernel-wasm.ts (the attention kernels) and src/model/matmul.wat into matmul-wasm.ts
// (the forward pass's matmul). `npm run kernel` runs it after a .wat changes; unit tests fail if a
// committed file and the assembled one drift apart (the build never runs it).
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '../../src/core/attention');

/** Each .wat, the .ts it becomes and the constant that holds its bytes. */
const MODULES = {
  kernel: { wat: path.join(DIR, 'kernel.wat'), ts: path.join(DIR, 'kernel-wasm.ts'), constant: 'KERNEL_WASM_BASE64' },
  matmul: { wat: path.resolve(__dirname, '../../src/model/matmul.wat'), ts: path.resolve(__dirname, '../../src/model/matmul-wasm.ts'), constant: 'MATMUL_WASM_BASE64' },
};

async function assemble(which = 'kernel') {
  const { wat } = MODULES[which];
  const wabt = await require('wabt')();
  const module = wabt.parseWat(path.basename(wat), fs.readFileSync(wat, 'utf8'), { simd: true });
  module.validate();
  return Buffer.from(module.toBinary({}).buffer);
}

function render(bytes, which = 'kernel') {
  const { wat, constant } = MODULES[which];
  return `// Generated from ${path.basename(wat)} by test/tools/wasm-kernel.js (npm run kernel): do not edit.\nexport const ${constant} =\n  '${bytes.toString('base64')}';\n`;
}

/** Rewrites each generated .ts only when its assembled bytes changed. */
async function writeKernel() {
  for (const which of Object.keys(MODULES)) {
    const target = MODULES[which].ts;
    const text = render(await assemble(which), which);
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
  }
}

module.exports = { assemble, render, writeKernel, MODULES, KERNEL_TS: MODULES.kernel.ts };
