/** .npz archives in tests: every entry read with the project's .npy reader, and state dicts as a WeightProvider. */
import { unzipSync } from 'fflate';
import { readFileSync } from 'fs';
import { decodeNpy, NpyArray, npyToFloat32, npyToFloat64 } from '../../src/core';
import { weightsInMemory, WeightProvider } from '../../src/model';

export function readNpz(path: string): Map<string, NpyArray> {
  const entries = unzipSync(readFileSync(path));
  const arrays = new Map<string, NpyArray>();
  for (const [name, bytes] of Object.entries(entries)) arrays.set(name.replace(/\.npy$/, ''), decodeNpy(bytes, `${path}:${name}`));
  return arrays;
}

export function floats(arrays: Map<string, NpyArray>, name: string): Float32Array {
  const array = arrays.get(name);
  if (!array) throw new Error(`no ${name} in the archive`);
  return npyToFloat32(array);
}

export function integers(arrays: Map<string, NpyArray>, name: string): number[] {
  const array = arrays.get(name);
  if (!array) throw new Error(`no ${name} in the archive`);
  return Array.from(npyToFloat64(array));
}

/** The arrays of a state dict as weights; `rename` maps each name (undefined drops the tensor). */
export function npzWeights(path: string, rename: (name: string) => string | undefined = (n) => n): WeightProvider {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, array] of readNpz(path)) {
    const renamed = rename(name);
    if (renamed !== undefined) tensors.set(renamed, { shape: array.shape, data: npyToFloat32(array) });
  }
  return weightsInMemory(tensors);
}
