/**
 * The three ways a model uses a factorized pattern (paper, section 4.3), shared by
 * fixed, strided and the ports: merged heads, heads split between the two sets,
 * or sets interleaved across layers. Heads with equal masks share one object.
 */
import type { Mode } from '../config';
import type { HeadMask } from '../mask';

export interface FactorizedSets {
  /** A1 ∪ A2 for summary sub-block k. */
  merged(k: number): HeadMask;
  /** A1 alone. */
  first(): HeadMask;
  /** A2 alone, sub-block k. */
  second(k: number): HeadMask;
}

export function assignHeads(sets: FactorizedSets, heads: number, subblocks: number, mode: Mode, layer: number): HeadMask[] {
  const cache = new Map<string, HeadMask>();
  const once = (key: string, make: () => HeadMask): HeadMask => {
    let head = cache.get(key);
    if (!head) cache.set(key, (head = make()));
    return head;
  };
  const result: HeadMask[] = [];
  for (let h = 0; h < heads; h++) {
    if (mode === 'merged') {
      const k = h % subblocks;
      result.push(once(`m${k}`, () => sets.merged(k)));
    } else if (mode === 'split') {
      // Even heads take A1; odd heads take A2 with their own sub-block.
      const k = Math.floor(h / 2) % subblocks;
      result.push(h % 2 === 0 ? once('a1', () => sets.first()) : once(`a2-${k}`, () => sets.second(k)));
    } else {
      const k = h % subblocks;
      result.push(layer % 2 === 0 ? once('a1', () => sets.first()) : once(`a2-${k}`, () => sets.second(k)));
    }
  }
  return result;
}
