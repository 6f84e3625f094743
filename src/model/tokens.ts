/**
 * A model's tokens: its tokenizer.json (byte-level BPE) when the folder has one, else GPT-2's BPE
 * (r50k_base, through gpt-tokenizer), which GPT-2 checkpoints without a tokenizer.json use.
 */
import { decode as gpt2Decode, encode as gpt2Encode } from 'gpt-tokenizer/encoding/r50k_base';
import { ByteLevelBpe } from './bpe';

export interface ModelTokenizer {
  /** Where the tokens come from, for the legend. */
  source: 'tokenizer.json' | 'GPT-2 BPE';
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Each token's own text, to label the maps. */
  labels(ids: readonly number[]): string[];
}

/** `tokenizerJson` is tokenizer.json parsed, or undefined when the model folder has none. */
export function modelTokenizer(tokenizerJson: unknown | undefined): ModelTokenizer {
  if (tokenizerJson === undefined) {
    return {
      source: 'GPT-2 BPE',
      encode: (text) => gpt2Encode(text),
      decode: (ids) => gpt2Decode([...ids]),
      labels: (ids) => ids.map((id) => gpt2Decode([id])),
    };
  }
  const bpe = new ByteLevelBpe(tokenizerJson);
  return {
    source: 'tokenizer.json',
    encode: (text) => bpe.encode(text),
    decode: (ids) => bpe.decode(ids),
    labels: (ids) => ids.map((id) => bpe.decode([id])),
  };
}
