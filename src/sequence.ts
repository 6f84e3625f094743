/**
 * Text (an editor selection or pasted into the panel) as a sequence: tokens, or pasted numbers
 * (embeddings, or Q/K/V). Host-side, but free of the vscode API so that it is unit-tested.
 */
import { parseEmbeddings } from './core/embeddings';
import { parseQkv } from './core/pastedQkv';
import { tokenize } from './core/tokenize';
import type { PasteKind, Sequence } from './protocol';

/** The inspector draws every head of every row; beyond this a sequence is refused, not truncated. */
export const MAX_SEQUENCE_TOKENS = 16384;

export function sequenceFromText(text: string, tokenizer: PasteKind, origin: string): Sequence {
  if (tokenizer === 'numbers') {
    const { n, dim, values } = parseEmbeddings(text);
    if (n > MAX_SEQUENCE_TOKENS) throw new Error(`The ${origin} has ${n} rows; the inspector takes up to ${MAX_SEQUENCE_TOKENS}.`);
    return { tokens: Array.from({ length: n }, (_, i) => `#${i}`), source: `${origin} (embeddings [${n}, ${dim}])`, embeddings: { dim, values } };
  }
  if (tokenizer === 'qkv') {
    const { heads, n, d, q, k, v } = parseQkv(text);
    if (n > MAX_SEQUENCE_TOKENS) throw new Error(`The ${origin} has ${n} rows; the inspector takes up to ${MAX_SEQUENCE_TOKENS}.`);
    const shape = heads === 1 ? `[${n}, ${d}], shared by every head` : `[${heads}, ${n}, ${d}]`;
    const qkv = { heads, d, q, k, v };
    return { tokens: Array.from({ length: n }, (_, i) => `#${i}`), source: `${origin} (Q/K/V ${shape})`, qkv };
  }
  const tokens = tokenize(text, tokenizer);
  if (tokens.length === 0) throw new Error(`The ${origin} is empty: give some text to inspect as a sequence.`);
  if (tokens.length > MAX_SEQUENCE_TOKENS) {
    throw new Error(`The ${origin} has ${tokens.length} ${tokenizer} tokens; the inspector takes up to ${MAX_SEQUENCE_TOKENS}. Use less text.`);
  }
  return { tokens, source: `${origin} (${tokenizer} tokens)` };
}

