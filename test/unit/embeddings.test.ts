import { strict as assert } from 'assert';
import { EmbeddingsError, parseEmbeddings, syntheticQkv } from '../../src/core';

describe('pasted embeddings', () => {
  it('reads JSON rows and CSV or whitespace rows as [n, d]', () => {
    const json = parseEmbeddings('[[1, 2, 3], [4, 5, 6]]');
    assert.deepEqual([json.n, json.dim, Array.from(json.values)], [2, 3, [1, 2, 3, 4, 5, 6]]);
    const csv = parseEmbeddings('0.5, -1\n2e-1 3\n\n');
    assert.deepEqual([csv.n, csv.dim, Array.from(csv.values)], [2, 2, Array.from(Float32Array.of(0.5, -1, 0.2, 3))]);
  });

  it('says which row or cell is wrong', () => {
    assert.throws(() => parseEmbeddings('1,2\n3'), /row 1 has 1 values; the first row has 2/);
    assert.throws(() => parseEmbeddings('1,abc'), /row 0, column 1: "abc" is not a finite number/);
    assert.throws(() => parseEmbeddings('1,-1e39'), /row 0, column 1: -1e\+39 is beyond float32/);
    assert.throws(() => parseEmbeddings('[1, 2]'), /expected a JSON array of rows/);
    assert.throws(() => parseEmbeddings('[[1, 2'), /the pasted JSON does not parse/);
    assert.throws(() => parseEmbeddings('  '), /no rows/);
  });

  it('trims the text and each line: indented JSON, indented rows, blank lines of spaces', () => {
    const values = (text: string) => {
      const e = parseEmbeddings(text);
      return [e.n, e.dim, Array.from(e.values)];
    };
    assert.deepEqual(values('  \n [[1, 2], [3, 4]]\n'), [2, 2, [1, 2, 3, 4]]);
    assert.deepEqual(values('  1 2  \r\n   \r\n\t3;4 \n'), [2, 2, [1, 2, 3, 4]]);
    assert.deepEqual(values('[["1", " 2 "], [3e0, -0.5]]'), [2, 2, [1, 2, 3, -0.5]]);
  });

  it('refuses anything but numbers and numeric text, naming the cell', () => {
    const refused = (text: string, message: string) =>
      assert.throws(
        () => parseEmbeddings(text),
        (e: unknown) => e instanceof EmbeddingsError && e.name === 'EmbeddingsError' && e.message === message,
        text,
      );
    refused('[[]]', 'the first row is empty');
    refused('[[1, 2], 3]', 'expected a JSON array of rows, e.g. [[0.1, 0.2], [0.3, 0.4]] for [n, d]');
    refused('[[1, ""]]', 'row 0, column 1: "" is not a finite number');
    refused('[[1, " "]]', 'row 0, column 1: " " is not a finite number');
    refused('1,2,\n3,4,', 'row 0, column 2: "" is not a finite number');
    // JSON.stringify writes NaN as null; Number() would read null, false and [7] as numbers.
    refused('[[1, null]]', 'row 0, column 1: null is not a finite number');
    refused('[[1, 2], [false, 3]]', 'row 1, column 0: false is not a finite number');
    refused('[[[7], 1]]', 'row 0, column 0: [7] is not a finite number');
  });

  it('drive the synthetic Q/K/V: same numbers give the same Q, other numbers another, extra positions fall back', () => {
    const rows = { dim: 3, values: [1, 2, 3, 4, 5, 6] };
    const a = syntheticQkv(2, 4, [], 64, rows);
    const b = syntheticQkv(2, 4, [], 64, rows);
    const c = syntheticQkv(2, 4, [], 64, { dim: 3, values: [1, 2, 3, 4, 5, 7] });
    const hashed = syntheticQkv(2, 4, [], 64);
    assert.deepEqual(Array.from(a.q), Array.from(b.q));
    const row = (x: Float32Array, h: number, i: number) => Array.from(x.subarray((h * 4 + i) * 64, (h * 4 + i + 1) * 64));
    assert.deepEqual(row(a.q, 0, 0), row(c.q, 0, 0), 'row 0 is the same in both');
    assert.notDeepEqual(row(a.q, 0, 1), row(c.q, 0, 1), 'row 1 differs');
    assert.deepEqual(row(a.q, 1, 3), row(hashed.q, 1, 3), 'position 3 has no row: the hashed embedding');
  });
});
