/** A grayscale PNG of per-head masks side by side, max-pooled so that no set cell disappears (Node: zlib). Used by the CLI and by Export. */
import { deflateSync } from 'zlib';
import { HeadMask, PatternMask, poolMask } from './core';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function encodeGrayPng(width: number, height: number, pixels: Uint8Array): Buffer {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

export function maskPng(mask: PatternMask, maxHeadPixels = 512): Buffer {
  const size = Math.min(mask.n, maxHeadPixels);
  const gap = 4;
  const width = mask.heads.length * size + (mask.heads.length - 1) * gap;
  const pixels = new Uint8Array(width * size).fill(255);
  // The maps' own pooling (poolMask): a pixel is dark when any cell it covers is set. Heads that
  // share a mask are pooled once.
  const pooled = new Map<HeadMask, Float32Array>();
  mask.heads.forEach((head, h) => {
    let covered = pooled.get(head);
    if (!covered) pooled.set(head, (covered = poolMask(head, { row: 0, col: 0, span: mask.n }, size)));
    const x0 = h * (size + gap);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (covered[y * size + x]) pixels[y * width + x0 + x] = 0;
  });
  return encodeGrayPng(width, size, pixels);
}
