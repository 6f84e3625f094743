// Mutations of valid checkpoint files: byte flips, interesting integers over length and offset
// fields, edits of the safetensors JSON header's numbers, cuts, deletions and duplications.
'use strict';

const INTERESTING_32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];
const NUMBERS = ['0', '1', '-1', '8', '1e30', '4294967296', '9007199254740993', '1.5', 'null', '"8"', '[]'];
const pick = (random, list) => list[Math.floor(random() * list.length)];

/** The safetensors JSON header with one of its numbers or strings replaced, the length field fixed up. */
function mutateSafetensorsHeader(random, file) {
  const length = Number(file.readBigUInt64LE(0));
  if (8 + length > file.length) return file;
  const text = file.subarray(8, 8 + length).toString('latin1');
  const matches = [...text.matchAll(/-?\d+|"[A-Z0-9_]+"/g)];
  if (!matches.length) return file;
  const m = pick(random, matches);
  const edited = text.slice(0, m.index) + (m[0].startsWith('"') ? pick(random, ['"F16"', '"BF16"', '"F64"', '"I64"', '"Q4"', '"BOOL"']) : pick(random, NUMBERS)) + text.slice(m.index + m[0].length);
  const head = Buffer.from(edited, 'latin1');
  const out = Buffer.alloc(8 + head.length + file.length - 8 - length);
  out.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(out, 8);
  file.copy(out, 8 + head.length, 8 + length);
  return out;
}

/** One to three mutations of `file` (a Buffer); returns a new Buffer. */
function mutate(random, file) {
  let out = Buffer.from(file);
  const rounds = 1 + Math.floor(random() * 3);
  for (let r = 0; r < rounds && out.length > 0; r++) {
    const at = Math.floor(random() * out.length);
    switch (Math.floor(random() * 8)) {
      case 0: out[at] ^= 1 << Math.floor(random() * 8); break;
      case 1: out[at] = pick(random, [0, 1, 0x7f, 0x80, 0xff, 0x28, 0x2e, 0x5d, 0x61, 0x71, 0x52, 0x63]); break;
      case 2: if (at + 4 <= out.length) out.writeUInt32LE(pick(random, INTERESTING_32), at); break;
      case 3: if (at + 8 <= out.length) out.writeBigUInt64LE(pick(random, [0n, 1n, 1n << 32n, 1n << 40n, (1n << 63n) - 1n, (1n << 64n) - 1n]), at); break;
      case 4: out = out.subarray(0, at); break;
      case 5: out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + 1 + Math.floor(random() * 64)))]); break;
      case 6: out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + 1 + Math.floor(random() * 64)), out.subarray(at)]); break;
      case 7: if (out.length > 8 && out.readUInt32LE(4) === 0) out = mutateSafetensorsHeader(random, out); else out[at] ^= 0xff; break;
    }
  }
  return out;
}

module.exports = { mutate };
