// Assembles the WebAssembly text modules into TypeScript files holding their bytes as base64, so that
// the core and the model stay pure TypeScript with no file access at run time: src/core/attention/
// kernel.wat into kernel-wasm.ts (the attention kernels) and src/model/matmul.wat into matmul-wasm.ts
// (the forward pass's matmul). `npm run kernel` runs it after a .wat changes; unit tests fail if a
// committed file and the assembled one drift apart (the build never runs it).
//
// kernel.wat gives two variants: `relaxed` keeps its `f32x4.relaxed_madd` (a fused multiply-add where
// the CPU has one; relaxed SIMD), `plain` spells each as `(f32x4.add (f32x4.mul a b) c)` for engines
// without relaxed SIMD (wasmModule.ts picks one).
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '../../src/core/attention');
const MADD = '(f32x4.relaxed_madd';

/** Each .wat, the .ts it becomes and the constant that holds its bytes. */
const MODULES = {
  kernel: { wat: path.join(DIR, 'kernel.wat'), ts: path.join(DIR, 'kernel-wasm.ts'), constant: 'KERNEL_WASM_BASE64' },
  matmul: { wat: path.resolve(__dirname, '../../src/model/matmul.wat'), ts: path.resolve(__dirname, '../../src/model/matmul-wasm.ts'), constant: 'MATMUL_WASM_BASE64' },
};
/** The balanced s-expression starting at text[at] ('('), and where it ends. */
function sexp(text, at) {
  let depth = 0;
  for (let x = at; x < text.length; x++) {
    if (text[x] === '(') depth++;
    else if (text[x] === ')' && --depth === 0) return { text: text.slice(at, x + 1), end: x + 1 };
  }
  throw new Error(`kernel.wat: unbalanced parentheses after offset ${at}`);
}

/** kernel.wat with every (f32x4.relaxed_madd a b c) written as (f32x4.add (f32x4.mul a b) c). */
function withoutRelaxed(source) {
  let out = '';
  let from = 0;
  for (let at = source.indexOf(MADD); at >= 0; at = source.indexOf(MADD, from)) {
    out += source.slice(from, at);
    const whole = sexp(source, at);
    const args = [];
    for (let x = at + MADD.length; x < whole.end - 1; ) {
      if (source[x] === '(') {
        const arg = sexp(source, x);
        args.push(withoutRelaxed(arg.text));
        x = arg.end;
      } else if (/\s/.test(source[x])) x++;
      else throw new Error(`kernel.wat: relaxed_madd operands must be parenthesised (offset ${x})`);
    }
    if (args.length !== 3) throw new Error(`kernel.wat: relaxed_madd takes 3 operands, got ${args.length} (offset ${at})`);
    out += `(f32x4.add (f32x4.mul ${args[0]} ${args[1]}) ${args[2]})`;
    from = whole.end;
  }
  return out + source.slice(from);
}

async function assemble(which = 'kernel', variant = 'plain') {
  const { wat } = MODULES[which];
  const wabt = await require('wabt')();
  const source = fs.readFileSync(wat, 'utf8');
  const relaxed = variant === 'relaxed';
  const module = wabt.parseWat(path.basename(wat), relaxed ? source : withoutRelaxed(source), { simd: true, relaxed_simd: relaxed });
  module.validate();
  return Buffer.from(module.toBinary({}).buffer);
}

function render(bytes, which = 'kernel') {
  const { wat, constant } = MODULES[which];
  return `// Generated from ${path.basename(wat)} by test/tools/wasm-kernel.js (npm run kernel): do not edit.\nexport const ${constant} =\n  '${bytes.toString('base64')}';\n`;
}

/** kernel-wasm.ts: both variants of kernel.wat. */
async function renderKernel() {
  const plain = await assemble('kernel', 'plain');
  const relaxed = await assemble('kernel', 'relaxed');
  return (
    render(plain, 'kernel') +
    '/** The same with fused multiply-adds (relaxed SIMD). */\n' +
    `export const KERNEL_RELAXED_WASM_BASE64 =\n  '${relaxed.toString('base64')}';\n`
  );
}

/** Rewrites each generated .ts only when its assembled bytes changed. */
async function writeKernel() {
  for (const which of Object.keys(MODULES)) {
    const target = MODULES[which].ts;
    const text = which === 'kernel' ? await renderKernel() : render(await assemble(which), which);
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
  }
}

module.exports = { assemble, render, renderKernel, withoutRelaxed, writeKernel, MODULES, KERNEL_TS: MODULES.kernel.ts };
