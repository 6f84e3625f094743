/** The committed checkpoint fixtures (test/fixtures/checkpoints, written by torch and NumPy) opened in-process. */
import { createHash } from 'crypto';
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, resolve } from 'path';
import { ByteSource, DEFAULT_LIMITS, memorySource, OpenedCheckpoint, openCheckpointSource, openFolder, ReadLimits } from '../../src/model';

export const CHECKPOINTS = resolve(__dirname, '../fixtures/checkpoints');

export interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  sha256: string;
  first: number[];
}

export const EXPECTED: Record<string, { format: string; tensors: ExpectedTensor[] }> = JSON.parse(readFileSync(join(CHECKPOINTS, 'expected.json'), 'utf8'));

export function fixtureSource(path: string): ByteSource {
  return memorySource(new Uint8Array(readFileSync(join(CHECKPOINTS, path))), path.split('/').pop()!);
}

/** A file or a folder of the fixtures, as the CLI opens it. */
export async function openFixture(path: string, limits: ReadLimits = DEFAULT_LIMITS): Promise<OpenedCheckpoint> {
  const full = join(CHECKPOINTS, path);
  if (!statSync(full).isDirectory()) return openCheckpointSource(fixtureSource(path), limits);
  const folder = { name: path, list: async () => readdirSync(full), open: async (name: string) => fixtureSource(`${path}/${name}`) };
  return (await openFolder(folder, limits)).checkpoint;
}

export function float32Hash(values: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}
