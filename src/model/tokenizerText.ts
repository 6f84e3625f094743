/** Pieces the tokenizers here share: tokenizer.json's objects, added tokens split out first, bytes back to text. */

export type Json = Record<string, unknown>;

export const isJsonObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

export const escapeText = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One pattern for the added tokens, longest first, so that "<|end|>" is not cut at "<|". */
export function addedTokenPattern(added: readonly { content: string }[]): RegExp | undefined {
  if (!added.length) return undefined;
  const longestFirst = [...added].sort((a, b) => b.content.length - a.content.length);
  return new RegExp(longestFirst.map((t) => escapeText(t.content)).join('|'), 'gu');
}

const utf8 = new TextDecoder();

/** Decoded text built from runs of bytes and whole strings: a run ending inside a character shows U+FFFD. */
export class DecodedText {
  private readonly bytes: number[] = [];
  private text = '';

  byte(value: number): void {
    this.bytes.push(value);
  }

  string(value: string): void {
    this.flush();
    this.text += value;
  }

  toString(): string {
    this.flush();
    return this.text;
  }

  private flush(): void {
    if (!this.bytes.length) return;
    this.text += utf8.decode(Uint8Array.from(this.bytes));
    this.bytes.length = 0;
  }
}
