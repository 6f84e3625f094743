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

/**
 * Which sets head h attends to and its summary sub-block k: the one rule assignHeads builds by
 * and explain.ts explains by. Merged: both sets, k = h mod K. Split: even heads A1, odd heads A2
 * with k = (h // 2) mod K. Interleaved: even layers A1, odd layers A2 with k = h mod K.
 */
export function headSets(h: number, subblocks: number, mode: Mode, layer: number): { a1: boolean; a2: boolean; k: number } {
  if (mode === 'merged') return { a1: true, a2: true, k: h % subblocks };
  if (mode === 'split') return { a1: h % 2 === 0, a2: h % 2 === 1, k: Math.floor(h / 2) % subblocks };
  return layer % 2 === 0 ? { a1: true, a2: false, k: 0 } : { a1: false, a2: true, k: h % subblocks };
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
    const { a1, a2, k } = headSets(h, subblocks, mode, layer);
    // Stryker disable next-line StringLiteral: the cache keys stay distinct with '' for 'a1' (the others start with m or a2-; emptying those is killed)
    result.push(a1 && a2 ? once(`m${k}`, () => sets.merged(k)) : a1 ? once('a1', () => sets.first()) : once(`a2-${k}`, () => sets.second(k)));
  }
  return result;
}
