/**
 * Pasted numbers are held by the host and travel by reference: the webview's per-render state
 * carries no numbers, the host puts them back, and a window reload finds them in storage.
 */
import { strict as assert } from 'assert';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultConfig } from '../../src/core';
import { PastedNumbers } from '../../src/extension/pastedNumbers';
import { isInspectorState, withoutBulk } from '../../src/protocol';
import { sequenceFromText } from '../../src/sequence';

describe('pasted numbers by reference', () => {
  const config = defaultConfig('fixed');
  const row = (i: number) => Array.from({ length: 8 }, (_, j) => (i * 8 + j) / 7);
  const qkvText = (rows: number) => JSON.stringify({ q: Array.from({ length: rows }, (_, i) => row(i)), k: Array.from({ length: rows }, (_, i) => row(i + 1)), v: Array.from({ length: rows }, (_, i) => row(i + 2)) });

  it('the saved and per-render state carry tokens and a reference only; the host puts the numbers back', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sai-pasted-'));
    const pasted = new PastedNumbers(folder, (m) => assert.fail(m));
    const sequence = pasted.adopt(sequenceFromText(qkvText(2000), 'qkv', 'pasted text'));
    assert.match(sequence.bulkId!, /^[\w-]+$/);
    const light = withoutBulk({ config, sequence });
    assert.deepEqual(Object.keys(light.sequence!).sort(), ['bulkId', 'source', 'tokens']);
    assert.ok(isInspectorState(light), 'the light state passes the protocol check');
    assert.ok(JSON.stringify(light).length < JSON.stringify({ config, sequence }).length / 20, 'a twentieth of the size');
    assert.deepEqual(pasted.complete(light).sequence, sequence);
    // A sequence without numbers has nothing to hold.
    const words = sequenceFromText('a b c', 'gpt2', 'pasted text');
    assert.equal(pasted.adopt(words), words);
    assert.equal(withoutBulk({ config, sequence: words }).sequence, words);
    rmSync(folder, { recursive: true });
  });

  it('a window reload finds the latest paste in storage; older pastes are removed; a lost one is said', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sai-pasted-'));
    const first = new PastedNumbers(folder, (m) => assert.fail(m)).adopt(sequenceFromText(qkvText(3), 'qkv', 'pasted text'));
    const host = new PastedNumbers(folder, (m) => assert.fail(m));
    const second = host.adopt(sequenceFromText('[[1, 2], [3, 4]]', 'numbers', 'pasted text'));
    assert.deepEqual(readdirSync(folder), [`pasted-${second.bulkId}.bin`], 'one file: the latest paste');
    const reloaded = new PastedNumbers(folder, (m) => assert.fail(m));
    assert.deepEqual(reloaded.complete(withoutBulk({ config, sequence: second })).sequence, second);
    const gone = reloaded.complete(withoutBulk({ config, sequence: first })).sequence!;
    assert.equal(gone.qkv, undefined);
    assert.equal(gone.bulkId, undefined);
    assert.match(gone.source, /its pasted numbers are gone \(paste them again\)$/);
    // A damaged file is not trusted.
    writeFileSync(join(folder, `pasted-${second.bulkId}.bin`), Buffer.from([2, 0, 0, 0, 0x7b, 0x7d]));
    assert.match(new PastedNumbers(folder, () => {}).complete(withoutBulk({ config, sequence: second })).sequence!.source, /gone/);
    rmSync(folder, { recursive: true });
  });

  it('without a storage folder (or one that cannot be written) the numbers stay in memory and a warning says so', () => {
    const warnings: string[] = [];
    const blocked = join(mkdtempSync(join(tmpdir(), 'sai-pasted-')), 'file');
    writeFileSync(blocked, 'not a folder');
    const pasted = new PastedNumbers(blocked, (m) => warnings.push(m));
    const sequence = pasted.adopt(sequenceFromText(qkvText(2), 'qkv', 'pasted text'));
    assert.match(warnings[0], /pasted numbers kept in memory only/);
    assert.deepEqual(pasted.complete(withoutBulk({ config, sequence })).sequence, sequence);
    const memory = new PastedNumbers(undefined, (m) => warnings.push(m));
    const kept = memory.adopt(sequenceFromText(qkvText(2), 'qkv', 'pasted text'));
    assert.deepEqual(memory.complete(withoutBulk({ config, sequence: kept })).sequence, kept);
  });
});
