/** Pasted numbers as token embeddings [n, d]: a JSON array of rows, or CSV / whitespace-separated rows. */

export interface Embeddings {
  n: number;
  dim: number;
  values: Float32Array;
}

export class EmbeddingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingsError';
  }
}

function rowsOf(text: string): unknown[][] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new EmbeddingsError(`the pasted JSON does not parse: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed) || !parsed.every(Array.isArray)) throw new EmbeddingsError('expected a JSON array of rows, e.g. [[0.1, 0.2], [0.3, 0.4]] for [n, d]');
    return parsed as unknown[][];
  }
  return trimmed
    .split(/\r?\n/)
    .filter((line) => line.trim().length > 0)
    .map((line) => line.trim().split(/[\s,;]+/));
}

export function parseEmbeddings(text: string): Embeddings {
  const rows = rowsOf(text);
  if (rows.length === 0) throw new EmbeddingsError('no rows: paste a matrix [n, d], one row per token');
  const dim = rows[0].length;
  if (dim === 0) throw new EmbeddingsError('the first row is empty');
  const values = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    if (row.length !== dim) throw new EmbeddingsError(`row ${i} has ${row.length} values; the first row has ${dim}`);
    row.forEach((cell, c) => {
      // Only numbers and numeric text: Number() would read null (JSON.stringify's NaN), true or [1] as numbers.
      const value = typeof cell === 'number' ? cell : typeof cell === 'string' ? Number(cell) : NaN;
      if (!Number.isFinite(value) || (typeof cell === 'string' && cell.trim() === '')) {
        throw new EmbeddingsError(`row ${i}, column ${c}: ${JSON.stringify(cell)} is not a finite number`);
      }
      if (!Number.isFinite(Math.fround(value))) throw new EmbeddingsError(`row ${i}, column ${c}: ${value} is beyond float32 (about ±3.4e38)`);
      values[i * dim + c] = value;
    });
  });
  return { n: rows.length, dim, values };
}
