// Assembles src/core/attention/kernel.wat into kernel-wasm.ts (base64), so that the core stays pure
// TypeScript with no file access at run time. `npm run kernel` runs it after kernel.wat changes; a unit
// test fails if the committed file and the assembled one drift apart (the build never runs it).
//
// Two variants come out of the one source: `relaxed` keeps kernel.wat's `f32x4.relaxed_madd`
// (a fused multiply-add where the CPU has one; relaxed SIMD), `plain` spells each as
// `(f32x4.add (f32x4.mul a b) c)` for engines without relaxed SIMD (wasmModule.ts picks one).
const fs = require('fs');
const path = require('path');

const DIR = path.resolve(__dirname, '../../src/core/attention');
const MADD = '(f32x4.relaxed_madd';

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

async function assemble(variant = 'plain') {
  const wabt = await require('wabt')();
  const source = fs.readFileSync(path.join(DIR, 'kernel.wat'), 'utf8');
  const relaxed = variant === 'relaxed';
  const module = wabt.parseWat('kernel.wat', relaxed ? source : withoutRelaxed(source), { simd: true, relaxed_simd: relaxed });
  module.validate();
  return Buffer.from(module.toBinary({}).buffer);
}

function render(plain, relaxed) {
  return (
    '// Generated from kernel.wat by test/tools/wasm-kernel.js (npm run kernel): do not edit.\n' +
    `export const KERNEL_WASM_BASE64 =\n  '${plain.toString('base64')}';\n` +
    '/** The same with fused multiply-adds (relaxed SIMD). */\n' +
    `export const KERNEL_RELAXED_WASM_BASE64 =\n  '${relaxed.toString('base64')}';\n`
  );
}

async function renderKernel() {
  return render(await assemble('plain'), await assemble('relaxed'));
}

/** Rewrites kernel-wasm.ts only when the assembled bytes changed. */
async function writeKernel() {
  const target = path.join(DIR, 'kernel-wasm.ts');
  const text = await renderKernel();
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
}

module.exports = { assemble, renderKernel, withoutRelaxed, writeKernel, KERNEL_TS: path.join(DIR, 'kernel-wasm.ts') };
