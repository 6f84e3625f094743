/**
 * A mask or block layout saved by the user's code: `.npy`, or one tensor of a checkpoint
 * (`.pt`/`.bin`/`.pth`, `.safetensors`, `.npz`, read by the same safe readers as Load Checkpoint…).
 * Values must be 0/1 (bool or integers; an additive 0/-inf float mask is read as its zeros).
 */
import { readFileSync } from 'fs';
import { basename, extname } from 'path';
import { decodeNpy, npyToMask } from '../core';
import { OpenFiles, openCheckpointPath } from '../checkpointFiles';

export interface MaskFile {
  what: string;
  cells: Uint8Array;
  /** Leading size-1 axes dropped: [n, n], [H, n, n] (or a layout's [H, nb, nb]). */
  shape: number[];
  note?: string;
}

/** Tensors that can be a mask: 2 to 4 axes, the last two equal. */
export const maskShaped = (shape: readonly number[]): boolean => shape.length >= 2 && shape.length <= 4 && shape[shape.length - 1] === shape[shape.length - 2];

/** `choose` picks a tensor when the checkpoint holds several mask-shaped ones (a quick pick in the editor). */
export async function readMaskFile(path: string, choose: (names: string[]) => Promise<string | undefined>): Promise<MaskFile | undefined> {
  if (extname(path).toLowerCase() === '.npy') {
    const what = basename(path);
    const npy = decodeNpy(new Uint8Array(readFileSync(path)), what);
    return { what, cells: npyToMask(npy, what), shape: squeeze(npy.shape) };
  }
  const files = new OpenFiles();
  try {
    const { checkpoint } = await openCheckpointPath(path, files);
    const candidates = checkpoint.tensors.filter((t) => maskShaped(t.shape));
    if (!candidates.length) throw new Error(`${basename(path)} holds no tensor shaped like a mask ([n, n], [H, n, n] or a block layout)`);
    // Prefer what the name says (DeepSpeed's master_layout, an attention mask) when there is a choice.
    const named = candidates.filter((t) => /mask|layout/i.test(t.name));
    const pool = named.length === 1 ? named : candidates;
    const name = pool.length === 1 ? pool[0].name : await choose(pool.map((t) => t.name));
    if (!name) return undefined;
    const tensor = checkpoint.tensors.find((t) => t.name === name)!;
    const values = await checkpoint.read(name);
    const what = `${basename(path)}: ${name}`;
    const { cells, note } = zeroOne(values, what);
    return { what, cells, shape: squeeze(tensor.shape), note };
  } finally {
    await files.close();
  }
}

function squeeze(shape: readonly number[]): number[] {
  const out = [...shape];
  while (out.length > 2 && out[0] === 1) out.shift();
  return out;
}

function zeroOne(values: Float32Array, what: string): { cells: Uint8Array; note?: string } {
  const cells = new Uint8Array(values.length);
  let additive = false;
  for (let k = 0; k < values.length; k++) {
    const x = values[k];
    if (x === 0 || x === 1) cells[k] = x;
    else if (x === -Infinity || x <= -1e4) additive = true;
    else throw new Error(`${what} holds ${x} at flat index ${k}; a mask holds only 0 and 1 (or 0 and -inf, additive)`);
  }
  if (!additive) return { cells };
  // An additive mask: 0 is allowed, a large negative number masked (a 1 would be a score bias: refused).
  for (let k = 0; k < values.length; k++) {
    if (values[k] === 1) throw new Error(`${what} mixes 0, 1 and large negative values: not a mask`);
    cells[k] = values[k] === 0 ? 1 : 0;
  }
  return { cells, note: 'read as an additive mask: 0 is allowed' };
}
