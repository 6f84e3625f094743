// Mutations of valid .npy files: structure-aware (header tokens, versions, lengths) and byte-level.
'use strict';

const { prng } = require('../support/prng');

const CHARS = [' ', '#', '\n', '\r', '\t', '\f', '\v', '\\', '\0', '"', "'", '-', '+', 'L', '0', '1', '9', '(', ')', ',', ':', '{', '}', '[', ']', '<', '>', '=', '|', '_', 'x', 'j', '.', 'e', '\x80', '\x8a', '\xa0', '\xe9', '\xff'];
const DESCRS = ['<f4', '>f4', '=f4', '|f4', 'f4', '<f', 'f', 'float32', 'single', '<f8', '>f8', 'd', 'float', '<f2', '>e', 'half', '<f16', 'g', '<i4', '>i8', '<i2', 'int64', 'l', '<u1', '|u1', 'B', 'uint8', '>u2', '|b1', '?', 'bool', 'b', '|i1', '<c8', '<U4', '|S4', '|V4', '<M8[s]', 'O', '1f4', '2f4', '<f4,', 'f4,f4', '(2,)f4', '<f3', '', ' <f4', '<f4 ', 'F4', 'float128', 'int', 'bool_'];
const DIMS = ['-1', '-2', '0', '1', '2', '8', '16', '32', '256', 'True', 'False', '2L', '16L', '0x10', '0o20', '0b10', '1_6', '2**3', '1.0', '16.', '1j', '(16)', 'None', '+16', '- 16', '9223372036854775807', '9223372036854775808', '-9223372036854775808', '4294967296', '4611686018427387904', "'16'"];
const BOOLS = ['True', 'False', '1', '0', 'None', "'False'", 'true', '(True)', 'True,', ' True'];
const EXTRA = ["'shape': (16,), ", "'shape': (2, 16, 16), ", "'descr': '<f8', ", "'descr': '|b1', ", "'fortran_order': True, ", "'extra': 1, ", "u'shape': (2,), ", "b'shape': (2,), ", '"descr": "<f4", ', '1: 2, '];

const latin1 = (bytes) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');
const bytesOf = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

/** The parts of a valid seed: prefix (magic + version), the length field's size, header text, data. */
function split(file) {
  const major = file[6];
  const lengthBytes = major === 1 ? 2 : 4;
  const length = lengthBytes === 2 ? file[8] | (file[9] << 8) : file.readUInt32LE(8);
  const start = 8 + lengthBytes;
  return { version: [file[6], file[7]], lengthBytes, header: latin1(file.subarray(start, start + length)), data: file.subarray(start + length) };
}

function join({ version, lengthBytes, header, data }, lengthDelta = 0) {
  const head = bytesOf(header);
  const out = Buffer.alloc(8 + lengthBytes + head.length + data.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version[0], version[1]]).copy(out, 0);
  const length = Math.max(0, head.length + lengthDelta);
  if (lengthBytes === 2) out.writeUInt16LE(Math.min(length, 0xffff), 8);
  else out.writeUInt32LE(length, 8);
  out.set(head, 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + head.length);
  return out;
}

/** Replaces one match of `re` (chosen at random) in `text` with `by(match)`. */
function replaceOne(random, text, re, by) {
  const matches = [...text.matchAll(re)];
  if (!matches.length) return text;
  const m = matches[Math.floor(random() * matches.length)];
  return text.slice(0, m.index) + by(m) + text.slice(m.index + m[0].length);
}

const pick = (random, list) => list[Math.floor(random() * list.length)];

/** One to three mutations of `file` (a Buffer); returns a new Buffer. */
function mutate(random, file) {
  let parts = split(file);
  let lengthDelta = 0;
  let raw = null; // a byte-level mutation of the whole file, after the structure-aware ones
  const rounds = 1 + Math.floor(random() * 3);
  for (let r = 0; r < rounds; r++) {
    const h = parts.header;
    switch (Math.floor(random() * 14)) {
      case 0: parts.header = h.replace(/'descr': '[^']*'/, `'descr': '${pick(random, DESCRS)}'`); break;
      case 1: parts.header = replaceOne(random, h, /-?\d+/g, () => pick(random, DIMS)); break;
      case 2: parts.header = h.replace(/True|False/, pick(random, BOOLS)); break;
      case 3: parts.header = h.replace(/'/g, '"'); break;
      case 4: parts.header = h.replace(/}/, pick(random, EXTRA) + '}'); break;
      case 5: parts.header = replaceOne(random, h, /'(descr|fortran_order|shape)': [^,]*(\([^)]*\))?, ?/g, () => ''); break;
      case 6: parts.version = [pick(random, [0, 1, 2, 3, 4, 9, 255]), random() < 0.7 ? 0 : 1]; break;
      case 7: lengthDelta = pick(random, [-64, -1, 1, 2, 64, 1000]); break;
      case 8: parts.data = parts.data.subarray(0, Math.floor(random() * parts.data.length)); break;
      case 9: parts.data = Buffer.concat([parts.data, Buffer.alloc(1 + Math.floor(random() * 9), 0x3f)]); break;
      case 10: parts.header = replaceOne(random, h, /[ \n(),:{}']/g, () => pick(random, CHARS)); break;
      case 11: { const at = Math.floor(random() * (h.length + 1)); parts.header = h.slice(0, at) + pick(random, CHARS) + h.slice(at); break; }
      case 12: { const at = Math.floor(random() * h.length); parts.header = h.slice(0, at) + h.slice(at + 1); break; }
      default: raw = true;
    }
  }
  let out = join(parts, lengthDelta);
  if (raw) {
    out = Buffer.from(out);
    const at = Math.floor(random() * out.length);
    if (random() < 0.5) out[at] ^= 1 << Math.floor(random() * 8);
    else out[at] = Math.floor(random() * 256);
  }
  return out;
}

module.exports = { prng, mutate };
