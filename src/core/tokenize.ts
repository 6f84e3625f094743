/** Turning text into the token sequence whose labels follow the maps. */
import { decode, encode } from 'gpt-tokenizer/encoding/r50k_base';

export const TOKENIZERS = ['gpt2', 'whitespace', 'characters'] as const;
export type TokenizerName = (typeof TOKENIZERS)[number];

/** GPT-2 BPE (r50k_base, the vocabulary GPT-2 shipped), whitespace-separated words, or characters. */
export function tokenize(text: string, tokenizer: TokenizerName): string[] {
  switch (tokenizer) {
    case 'gpt2':
      return encode(text).map((id: number) => decode([id]));
    case 'whitespace':
      // Stryker disable next-line Regex: splitting at each whitespace character leaves empty strings between runs, which the filter drops (`/\S+/` is killed)
      return text.split(/\s+/).filter((t) => t.length > 0);
    case 'characters':
      return Array.from(text);
  }
}
