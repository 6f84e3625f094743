/**
 * Hostile and broken checkpoints: each is refused with one clear line, quickly and without
 * allocating what it declares, and nothing in it ever runs (a canary file proves it for pickles
 * that would run a command under pickle.load).
 */
import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { zipSync } from 'fflate';
import { CheckpointError, DEFAULT_LIMITS, memorySource, openCheckpointSource, ReadLimits } from '../../src/model';
import { encodeNpy } from '../../src/core';
import { CHECKPOINTS, EXPECTED, fixtureSource, openFixture } from '../support/checkpoints';
import { pythonWith } from '../support/python';

/** Opens and reads every tensor; resolves to the error message (or undefined when all went well). */
async function refusal(bytes: Uint8Array, name: string, limits: ReadLimits = DEFAULT_LIMITS): Promise<string | undefined> {
  try {
    const checkpoint = await openCheckpointSource(memorySource(bytes, name), limits);
    for (const t of checkpoint.tensors) await checkpoint.read(t.name);
    return undefined;
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return e.message;
  }
}

async function refused(bytes: Uint8Array, name: string, pattern: RegExp, limits?: ReadLimits): Promise<void> {
  const started = Date.now();
  const message = await refusal(bytes, name, limits);
  assert.ok(message, `${name} was accepted`);
  assert.match(message, pattern);
  // Generous: the machine is shared; a hang or a pass over a declared size would take far longer.
  assert.ok(Date.now() - started < 15000, `${name} took ${Date.now() - started} ms`);
}

const fixture = (path: string) => new Uint8Array(readFileSync(join(CHECKPOINTS, path)));
const PROTO = [0x80, 0x02];
const STOP = 0x2e;

function safetensors(header: unknown, data: number, lengthDelta = 0): Uint8Array {
  const text = typeof header === 'string' ? new TextEncoder().encode(header) : new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length + lengthDelta), true);
  out.set(text, 8);
  return out;
}

describe('hostile and broken checkpoints', function () {
  this.timeout(60000);

  describe('pickles that would run code', () => {
    const cases: [string, RegExp][] = [
      ['hostile/os-system.pkl', /refused global posix\.system/],
      ['hostile/eval.pkl', /refused global builtins\.eval/],
      ['hostile/popen.pkl', /refused global subprocess\.Popen/],
      ['hostile/os-system.pt', /os-system\.pt \(os-system\/data\.pkl\): refused global posix\.system/],
      ['hostile/os-system-legacy.pt', /refused global posix\.system/],
    ];
    for (const [path, pattern] of cases) {
      it(`${path} is refused by the global it names, and nothing runs`, async () => {
        const canary = join(mkdtempSync(join(tmpdir(), 'sai-canary-')), 'ran');
        process.env.SAI_CANARY = canary;
        try {
          await refused(fixture(path), path.split('/').pop()!, pattern);
          assert.ok(!existsSync(canary), 'the canary file exists: something ran');
        } finally {
          delete process.env.SAI_CANARY;
        }
      });
    }

    it('the canary works: Python\'s own pickle.load of os-system.pkl does run the command', function () {
      const python = pythonWith('pickle');
      if (!python) this.skip();
      const canary = join(mkdtempSync(join(tmpdir(), 'sai-canary-')), 'ran');
      spawnSync(python!, ['-c', `import pickle; pickle.load(open(${JSON.stringify(join(CHECKPOINTS, 'hostile/os-system.pkl'))}, 'rb'))`], { env: { ...process.env, SAI_CANARY: canary } });
      assert.ok(existsSync(canary), 'pickle.load should have made the canary: the fixture is not hostile');
    });

    it('refuses every other global by name, also through STACK_GLOBAL and INST', async () => {
      const global = (module: string, name: string) => new TextEncoder().encode(`c${module}\n${name}\n`);
      const withStop = (...parts: (number[] | Uint8Array)[]) => Uint8Array.from([...PROTO, ...parts.flatMap((p) => Array.from(p)), STOP]);
      await refused(withStop(global('subprocess', 'check_output')), 'a.pkl', /refused global subprocess\.check_output/);
      await refused(withStop(global('builtins', 'getattr')), 'a.pkl', /refused global builtins\.getattr/);
      await refused(withStop(global('torch', 'load')), 'a.pkl', /refused global torch\.load/);
      await refused(withStop(global('constructor', 'constructor')), 'a.pkl', /refused global constructor\.constructor:/);
      await refused(withStop(global('torch.storage', '_load_from_bytes')), 'a.pkl', /pickle\.dump holds a nested torch\.save file/);
      const short = (s: string) => [0x8c, s.length, ...new TextEncoder().encode(s)];
      await refused(Uint8Array.from([0x80, 4, ...short('os'), ...short('system'), 0x93, STOP]), 'a.pkl', /refused global os\.system/);
      await refused(Uint8Array.from([...PROTO, 0x28, ...new TextEncoder().encode('inix\nsystem\n'), STOP]), 'a.pkl', /refused global nix\.system/);
    });
  });

  describe('pickles past the limits', () => {
    it('deep nesting: lists in lists, and MARKs', async () => {
      const depth = 100000;
      await refused(Uint8Array.from([...PROTO, ...new Array(depth).fill(0x5d), ...new Array(depth - 1).fill(0x61), STOP]), 'deep.pkl', /nested deeper than 200/);
      await refused(Uint8Array.from([...PROTO, ...new Array(depth).fill(0x28), STOP]), 'marks.pkl', /MARKs nested deeper than 200/);
    });

    it('a huge memo', async () => {
      const entries = 1_000_001;
      const bytes = new Uint8Array(2 + 1 + entries * 5 + 1);
      bytes.set([...PROTO, 0x4e]);
      const view = new DataView(bytes.buffer);
      for (let k = 0; k < entries; k++) {
        bytes[3 + 5 * k] = 0x72; // LONG_BINPUT k
        view.setUint32(4 + 5 * k, k, true);
      }
      bytes[bytes.length - 1] = STOP;
      await refused(bytes, 'memo.pkl', /more than 1000000 memo entries/);
      await refused(bytes.slice(0, 3 + 5 * 20), 'memo.pkl', /more than 10 memo entries/, { ...DEFAULT_LIMITS, maxMemo: 10 });
    });

    it('a storage declared far larger than its bytes, and a view past its storage', async () => {
      await refused(fixture('hostile/huge-storage.pt'), 'huge-storage.pt', /storage 0 declares 1000000000000000 FloatStorage elements \(4000000000000000 bytes\) but its entry holds 8/);
      await refused(fixture('hostile/huge-view.pt'), 'huge-view.pt', /tensor weight .* reaches element 999999999999 of a storage of 2/);
    });

    it('lengths that run past the pickle, and garbage', async () => {
      await refused(Uint8Array.from([...PROTO, 0x42, 0xff, 0xff, 0xff, 0x7f, STOP]), 'b.pkl', /truncated pickle/);
      await refused(Uint8Array.from([...PROTO, 0x8e, 0, 0, 0, 0, 0, 0, 0, 0x7f, STOP]), 'b.pkl', /truncated pickle|a length of/);
      await refused(Uint8Array.from([...PROTO, 0x82, 1, STOP]), 'b.pkl', /unsupported pickle opcode 0x82/);
      await refused(Uint8Array.from([...PROTO, 0x61, STOP]), 'b.pkl', /stack underflow/);
      await refused(Uint8Array.from([...PROTO, 0x68, 5, STOP]), 'b.pkl', /memo entry 5 is read before it is written/);
    });
  });

  describe('zip archives', () => {
    it('a zip bomb is refused by its compression ratio and by the total size limit', async () => {
      const zeros = encodeNpy('|u1', [64 << 20], new Uint8Array(64 << 20));
      const bomb = zipSync({ 'w.npy': [zeros, { level: 9 }] });
      assert.ok(bomb.length < 200 * 1024, `the bomb is ${bomb.length} bytes`);
      await refused(bomb, 'bomb.npz', /inflates more than 100 times its \d+ compressed bytes \(a zip bomb\?\)/, { ...DEFAULT_LIMITS, maxRatio: 100 });
      await refused(bomb, 'bomb.npz', /zip entry w\.npy inflates .*past the limit of 1048576/, { ...DEFAULT_LIMITS, maxInflatedBytes: 1 << 20 });
    });

    it('a zip without data.pkl, with two, and with an unknown compression method', async () => {
      await refused(zipSync({ 'a/readme.txt': new Uint8Array(4) }), 'x.pt', /not a torch\.save checkpoint: it needs one <root>\/data\.pkl, it has none/);
      await refused(zipSync({ 'a/data.pkl': new Uint8Array(4), 'b/data.pkl': new Uint8Array(4) }), 'x.pt', /it has several \(a\/data\.pkl, b\/data\.pkl\)/);
      const zip = zipSync({ 'a/data.pkl': [new Uint8Array(4), { level: 0 }] });
      new DataView(zip.buffer).setUint16(zip.length - 22 - (46 + 10) + 10, 12, true); // central directory: method 12 (bzip2)
      await refused(zip, 'x.pt', /uses compression method 12; only stored and deflated entries are read/);
    });
  });

  describe('safetensors headers that lie', () => {
    const entry = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });
    it('each lie gets its own message', async () => {
      await refused(safetensors({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12) }, 12), 'x.safetensors', /tensor b starts at data offset 4, which overlaps the tensor before it \(ends at 8\)/);
      await refused(safetensors({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 12, 20) }, 20), 'x.safetensors', /leaves a gap/);
      await refused(safetensors({ a: entry('F32', [2], 0, 8) }, 4), 'x.safetensors', /truncated: its header places tensor data up to byte \d+, the file has \d+/);
      await refused(safetensors({ a: entry('F32', [2, 3], 0, 8) }, 8), 'x.safetensors', /shape \[2, 3\] F32 \(24 bytes\) but data_offsets \[0, 8\] span 8 bytes/);
      await refused(safetensors({ a: entry('F32', [2], 0, 8) }, 8, 1000), 'x.safetensors', /declares a \d+-byte safetensors header but has only \d+ bytes/);
      await refused(safetensors('{"a": nope', 0), 'x.safetensors', /not UTF-8 JSON/);
      await refused(safetensors({ a: entry('F8_E4M3', [2], 0, 2) }, 2), 'x.safetensors', /dtype F8_E4M3, which the inspector does not read/);
      await refused(safetensors({ a: entry('F32', [-1], 0, 4) }, 4), 'x.safetensors', /invalid shape \[-1\]/);
      await refused(safetensors({ a: entry('F32', [1], 0, 4) }, 12), 'x.safetensors', /8 bytes after the last tensor that no tensor covers/);
      await refused(safetensors({ __metadata__: { a: 1 } }, 0), 'x.safetensors', /__metadata__ that is not an object of strings/);
      await refused(safetensors([1, 2], 0), 'x.safetensors', /not a JSON object/);
      const huge = safetensors({}, 0);
      new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
      huge[8] = 0x7b;
      await refused(huge, 'x.safetensors', /declares a 1099511627776-byte safetensors header, past the limit/);
    });
  });

  describe('truncated files', () => {
    const files = Object.keys(EXPECTED).filter((p) => !statSync(join(CHECKPOINTS, p)).isDirectory());
    for (const path of files) {
      it(`${path} cut anywhere is refused with a CheckpointError`, async () => {
        const whole = fixture(path);
        for (const cut of [0, 1, 9, 30, Math.floor(whole.length / 3), Math.floor(whole.length / 2), whole.length - 30, whole.length - 1]) {
          const message = await refusal(whole.subarray(0, cut), path.split('/').pop()!);
          assert.ok(message, `${path} cut at ${cut} of ${whole.length} was accepted`);
        }
      });
    }
  });

  it('a missing storage record and a shard naming no file are refused, not crashed on', async () => {
    assert.ok(readdirSync(join(CHECKPOINTS, 'hostile')).length >= 7);
    const source = fixtureSource('gpt2/gpt2.pt');
    assert.equal((await openCheckpointSource(source)).tensors.length, 30);
    await assert.rejects(openFixture('hostile'), /several weight files/);
  });
});
