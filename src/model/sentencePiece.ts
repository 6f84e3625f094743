/**
 * SentencePiece BPE, as Llama 2, Mistral, TinyLlama and most SentencePiece-era models tokenize:
 * spaces become "▁" (and a "▁" goes in front), the text is cut into characters, and the best
 * adjacent pair whose concatenation is a piece is merged, again and again, the leftmost among
 * equals; then each symbol is its piece's id, or its UTF-8 bytes as <0xXX> pieces (byte fallback),
 * or <unk>. "Best" is the merged piece's score where the file gives scores (GGUF
 * `tokenizer.ggml.scores`: sentencepiece's bpe_model.cc and llama.cpp's llm_tokenizer_spm rank pairs
 * so), or the pair's rank in tokenizer.json's merges (Hugging Face's BPE with byte_fallback).
 */
import { addedTokenPattern, DecodedText } from './tokenizerText';
import { ModelError } from './weights';

const utf8 = new TextEncoder();

export interface SentencePieceSpec {
  /** Every id's piece text (control and byte pieces included). */
  pieces: readonly string[];
  /** The pieces merging may make and symbols may be, by text (GGUF: normal and user-defined; tokenizer.json: its vocab). */
  pieceIds: ReadonlyMap<string, number>;
  /** Merge priority by score: the score of each id's piece (higher merges first). */
  scores?: ArrayLike<number>;
  /** Merge priority by rank: "left right" → rank (lower merges first). */
  mergeRanks?: ReadonlyMap<string, number>;
  unkId?: number;
  /** Unicode normalization before anything else (tokenizer.json's NFKC and the like). */
  normalize?: (text: string) => string;
  /** When a "▁" goes in front of a piece of text: each piece, only the text's first, or never. */
  prependScheme: 'always' | 'first' | 'never';
  /** Metaspace's rule: no "▁" in front of text that already starts with one (a Prepend normalizer always adds it). */
  prependOnlyWithoutLeadingSpace?: boolean;
  /** Metaspace's split: each "▁"-led word is merged on its own. */
  splitWords: boolean;
  /** Split out of the text before anything else, as their own ids (control and user-defined tokens). */
  added: readonly { content: string; id: number }[];
  /** Ids put around the text (BOS, EOS). */
  before: readonly number[];
  after: readonly number[];
}

const SPACE = '\u2581';
const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** A candidate merge of the symbols at `left` and `right`, valid while both still hold `leftText` / `rightText`. */
interface Candidate {
  left: number;
  right: number;
  leftText: string;
  rightText: string;
  /** Lower merges first. */
  priority: number;
}

export class SentencePieceBpe {
  private readonly byteIds: (number | undefined)[] = new Array(256);
  private readonly addedPattern?: RegExp;
  private readonly addedIds: Map<string, number>;
  private readonly cache = new Map<string, number[]>();

  constructor(private readonly spec: SentencePieceSpec) {
    if (!spec.scores === !spec.mergeRanks) throw new ModelError('a SentencePiece tokenizer needs either scores or merges');
    spec.pieces.forEach((piece, id) => {
      const byte = BYTE_PIECE.exec(piece);
      if (byte) this.byteIds[parseInt(byte[1], 16)] ??= id;
    });
    this.addedIds = new Map(spec.added.map((t) => [t.content, t.id]));
    this.addedPattern = addedTokenPattern(spec.added);
  }

  get vocabSize(): number {
    return this.spec.pieces.length;
  }

  encode(text: string, addSpecialTokens = true): number[] {
    const ids: number[] = addSpecialTokens ? [...this.spec.before] : [];
    let from = 0;
    let first = true;
    const plain = (segment: string) => {
      if (!segment) return;
      this.encodePlain(segment, first, ids);
      first = false;
    };
    if (this.addedPattern) {
      this.addedPattern.lastIndex = 0;
      for (let m = this.addedPattern.exec(text); m; m = this.addedPattern.exec(text)) {
        plain(text.slice(from, m.index));
        ids.push(this.addedIds.get(m[0])!);
        first = false;
        from = m.index + m[0].length;
      }
    }
    plain(text.slice(from));
    if (addSpecialTokens) ids.push(...this.spec.after);
    return ids;
  }

  private encodePlain(text: string, first: boolean, ids: number[]): void {
    const { prependScheme, splitWords } = this.spec;
    let escaped = (this.spec.normalize ? this.spec.normalize(text) : text).replace(/ /g, SPACE);
    const prepend = prependScheme === 'always' || (prependScheme === 'first' && first);
    if (prepend && !(this.spec.prependOnlyWithoutLeadingSpace && escaped.startsWith(SPACE))) escaped = SPACE + escaped;
    const words = splitWords ? escaped.split(new RegExp(`(?=${SPACE})`, 'u')).filter(Boolean) : [escaped];
    for (const word of words) {
      let wordIds = this.cache.get(word);
      if (!wordIds) {
        wordIds = this.symbolIds(this.merge(Array.from(word)));
        if (this.cache.size < 65536 && word.length < 256) this.cache.set(word, wordIds);
      }
      for (const id of wordIds) ids.push(id);
    }
  }

  /** The priority of merging `left` and `right`, or undefined when they do not merge. */
  private priority(left: string, right: string): number | undefined {
    const { scores, mergeRanks, pieceIds } = this.spec;
    if (mergeRanks) return mergeRanks.get(`${left} ${right}`);
    const id = pieceIds.get(left + right);
    return id === undefined ? undefined : -scores![id];
  }

  /** Merges best-first over a linked list of symbols with a heap of candidates (stale ones skipped): O(n log n). */
  private merge(symbols: string[]): string[] {
    const n = symbols.length;
    const next = Array.from({ length: n }, (_, k) => (k + 1 < n ? k + 1 : -1));
    const prev = Array.from({ length: n }, (_, k) => k - 1);
    const heap = new CandidateHeap();
    const consider = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const priority = this.priority(symbols[left], symbols[right]);
      if (priority !== undefined) heap.push({ left, right, leftText: symbols[left], rightText: symbols[right], priority });
    };
    for (let k = 0; k + 1 < n; k++) consider(k, k + 1);
    for (let top = heap.pop(); top; top = heap.pop()) {
      const { left, right } = top;
      // Stale: one side merged since (its text changed) or is gone.
      if (next[left] !== right || symbols[left] !== top.leftText || symbols[right] !== top.rightText) continue;
      symbols[left] += symbols[right];
      symbols[right] = '';
      next[left] = next[right];
      if (next[right] >= 0) prev[next[right]] = left;
      consider(prev[left], left);
      consider(left, next[left]);
    }
    const out: string[] = [];
    for (let k = n ? 0 : -1; k >= 0; k = next[k]) out.push(symbols[k]);
    return out;
  }

  /** Each symbol's id; an unknown one as its bytes' pieces, else <unk> (consecutive unknowns as one, as sentencepiece does). */
  private symbolIds(symbols: string[]): number[] {
    const ids: number[] = [];
    let lastUnknown = false;
    for (const symbol of symbols) {
      const id = this.spec.pieceIds.get(symbol);
      if (id !== undefined) {
        ids.push(id);
        lastUnknown = false;
        continue;
      }
      const bytes = Array.from(utf8.encode(symbol), (b) => this.byteIds[b]);
      if (bytes.every((b) => b !== undefined)) {
        ids.push(...(bytes as number[]));
        lastUnknown = false;
        continue;
      }
      if (this.spec.unkId === undefined) throw new ModelError(`the tokenizer has no piece, byte pieces or <unk> for ${JSON.stringify(symbol)}`);
      if (!lastUnknown) ids.push(this.spec.unkId);
      lastUnknown = true;
    }
    return ids;
  }

  /** The text of ids: "▁" back to spaces, byte pieces back to bytes; the "▁" put in front is dropped. */
  decode(ids: readonly number[]): string {
    const decoded = new DecodedText();
    for (const id of ids) {
      const piece = this.spec.pieces[id];
      if (piece === undefined) throw new ModelError(`token id ${id} is not in the tokenizer's vocabulary`);
      const byte = BYTE_PIECE.exec(piece);
      if (byte) decoded.byte(parseInt(byte[1], 16));
      else decoded.string(piece.replace(/\u2581/g, ' '));
    }
    const text = decoded.toString();
    return this.spec.prependScheme !== 'never' && text.startsWith(' ') ? text.slice(1) : text;
  }

  /** Each token's own text, spaces shown as they are (a byte piece alone shows as its <0xXX>). */
  labels(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const piece = this.spec.pieces[id];
      if (piece === undefined) throw new ModelError(`token id ${id} is not in the tokenizer's vocabulary`);
      return BYTE_PIECE.test(piece) ? piece : piece.replace(/\u2581/g, ' ');
    });
  }
}

/** A binary min-heap on (priority, left): the best merge, the leftmost among equals. */
class CandidateHeap {
  private readonly items: Candidate[] = [];

  private static before(a: Candidate, b: Candidate): boolean {
    return a.priority < b.priority || (a.priority === b.priority && a.left < b.left);
  }

  push(item: Candidate): void {
    const items = this.items;
    items.push(item);
    for (let k = items.length - 1; k > 0; ) {
      const parent = (k - 1) >> 1;
      if (!CandidateHeap.before(items[k], items[parent])) break;
      [items[k], items[parent]] = [items[parent], items[k]];
      k = parent;
    }
  }

  pop(): Candidate | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length && last) {
      items[0] = last;
      for (let k = 0; ; ) {
        const l = 2 * k + 1;
        const r = l + 1;
        let best = k;
        if (l < items.length && CandidateHeap.before(items[l], items[best])) best = l;
        if (r < items.length && CandidateHeap.before(items[r], items[best])) best = r;
        if (best === k) break;
        [items[k], items[best]] = [items[best], items[k]];
        k = best;
      }
    }
    return top;
  }
}
