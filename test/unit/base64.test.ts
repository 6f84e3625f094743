/**
 * The kernels' WebAssembly bytes are committed as base64 and decoded without Node's Buffer (the
 * core runs in the webview too): decodeBase64 against Buffer on every length and padding, and on the
 * committed kernels, which must decode to modules the engine validates.
 */
import { strict as assert } from 'assert';
import { decodeBase64, wasm } from '../../src/core/attention/wasmModule';
import { KERNEL_RELAXED_WASM_BASE64, KERNEL_WASM_BASE64 } from '../../src/core/attention/kernel-wasm';

describe('base64 of the kernels', () => {
  it('decodes as Buffer does, every length 0..64 (padded and unpadded) and every byte value', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let length = 0; length <= 64; length++) {
      const bytes = Uint8Array.from({ length }, (_, k) => (length === 64 ? k * 4 + (k % 4) : Math.floor(random() * 256)));
      const text = Buffer.from(bytes).toString('base64');
      assert.deepEqual(Array.from(decodeBase64(text)), Array.from(bytes), text);
      assert.deepEqual(Array.from(decodeBase64(text.replace(/=+$/, ''))), Array.from(bytes), `${text} without padding`);
    }
    const all = Uint8Array.from({ length: 256 }, (_, k) => k);
    assert.deepEqual(Array.from(decodeBase64(Buffer.from(all).toString('base64'))), Array.from(all));
  });

  it('the committed kernels decode to valid WebAssembly, plain and relaxed different', () => {
    for (const text of [KERNEL_WASM_BASE64, KERNEL_RELAXED_WASM_BASE64]) {
      const bytes = decodeBase64(text);
      assert.deepEqual(Buffer.from(bytes), Buffer.from(text, 'base64'));
      assert.deepEqual(Array.from(bytes.subarray(0, 4)), [0, 0x61, 0x73, 0x6d], '\\0asm');
    }
    assert.ok(wasm!.validate(decodeBase64(KERNEL_WASM_BASE64)));
    assert.notDeepEqual(decodeBase64(KERNEL_WASM_BASE64), decodeBase64(KERNEL_RELAXED_WASM_BASE64));
  });
});
