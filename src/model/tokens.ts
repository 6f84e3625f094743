/**
 * A model's tokens: its tokenizer.json (byte-level BPE) when the folder has one (or the one a GGUF
 * file carries), else GPT-2's BPE (r50k_base, through gpt-tokenizer), which GPT-2 checkpoints
 * without a tokenizer.json use; or none at all when the caller knows GPT-2's would be wrong (a GGUF
 * model with a tokenizer not read here): then text is refused with the reason, and ids are labelled #id.
 */
import { decode as gpt2Decode, encode as gpt2Encode } from 'gpt-tokenizer/encoding/r50k_base';
import { ByteLevelBpe } from './bpe';
import { ModelError } from './weights';

export interface ModelTokenizer {
  /** Where the tokens come from, for the legend. */
  source: 'tokenizer.json' | 'GPT-2 BPE' | 'GGUF metadata' | 'none';
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Each token's own text, to label the maps. */
  labels(ids: readonly number[]): string[];
}

export interface TokenizerOptions {
  /** The tokenizer.json-shaped object was made from a GGUF file's metadata. */
  fromGguf?: boolean;
  /** There is no tokenizer to use, for this reason (GPT-2's would give the wrong ids). */
  refusal?: string;
}

/** `tokenizerJson` is tokenizer.json parsed, or undefined when the model folder has none. */
export function modelTokenizer(tokenizerJson: unknown | undefined, options: TokenizerOptions = {}): ModelTokenizer {
  if (tokenizerJson === undefined && options.refusal !== undefined) {
    const refusal = options.refusal;
    return {
      source: 'none',
      encode: () => {
        throw new ModelError(refusal);
      },
      decode: () => {
        throw new ModelError(refusal);
      },
      labels: (ids) => ids.map((id) => `#${id}`),
    };
  }
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
    source: options.fromGguf ? 'GGUF metadata' : 'tokenizer.json',
    encode: (text) => bpe.encode(text),
    decode: (ids) => bpe.decode(ids),
    labels: (ids) => ids.map((id) => bpe.decode([id])),
  };
}
