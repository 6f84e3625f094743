/**
 * Byte-level BPE from a Hugging Face `tokenizer.json` (GPT-2, RoBERTa, Llama 3, Pythia and most
 * decoders since): added tokens are split out first; the rest is normalized, cut into pieces by
 * the pre-tokenizer's regular expression, each piece's UTF-8 bytes mapped to GPT-2's printable byte
 * alphabet, and merged pair by pair, the lowest-ranked merge first; then the post-processor's
 * special tokens are put around it. SentencePiece-style BPE (byte_fallback) is sentencePiece.ts's;
 * other models (WordPiece, Unigram) are refused by name. Added tokens' lstrip/rstrip options are not applied.
 */
import { addedTokenPattern, DecodedText, escapeText, isJsonObject } from './tokenizerText';
import { ModelError } from './weights';

/** GPT-2's pre-tokenizer pattern (the ByteLevel pre-tokenizer's use_regex). */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's byte → character table: printable bytes stand for themselves, the rest move to U+0100 on. */
function byteAlphabet(): string[] {
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    table[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return table;
}

const BYTE_CHAR = byteAlphabet();
const CHAR_BYTE = new Map(BYTE_CHAR.map((c, b) => [c, b]));

const isObject = isJsonObject;
const typeOf = (x: unknown) => (isObject(x) ? String(x.type) : JSON.stringify(x));

/** A piece of text to pieces: the pre-tokenizer's split, then its ByteLevel options. */
interface PreTokenizer {
  pattern?: RegExp;
  addPrefixSpace: boolean;
}

function readPreTokenizer(json: unknown): PreTokenizer {
  if (!isObject(json)) throw new ModelError(`tokenizer.json has no pre_tokenizer; byte-level BPE needs a ByteLevel one`);
  if (json.type === 'ByteLevel') return { pattern: json.use_regex === false ? undefined : GPT2_PATTERN, addPrefixSpace: json.add_prefix_space === true };
  if (json.type === 'Sequence' && Array.isArray(json.pretokenizers)) {
    // Llama 3 style: Split(regex, Isolated) then ByteLevel(use_regex false).
    const [split, byteLevel, ...rest] = json.pretokenizers as unknown[];
    if (isObject(split) && split.type === 'Split' && isObject(byteLevel) && byteLevel.type === 'ByteLevel' && rest.length === 0) {
      const literal = isObject(split.pattern) && typeof split.pattern.String === 'string' ? escapeText(split.pattern.String) : undefined;
      const source = isObject(split.pattern) ? split.pattern.Regex ?? literal : undefined;
      if (typeof source !== 'string' || split.behavior !== 'Isolated' || split.invert === true) {
        throw new ModelError(`tokenizer.json's Split pre-tokenizer (${JSON.stringify(split.behavior)}, invert ${split.invert}) is not read here; only an Isolated regex split is`);
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(withoutInlineIgnoreCase(source), 'gu');
      } catch (e) {
        throw new ModelError(`tokenizer.json's Split pattern does not compile as a JavaScript regular expression: ${(e as Error).message}`);
      }
      if (byteLevel.use_regex !== false) throw new ModelError("tokenizer.json's ByteLevel after a Split must have use_regex false");
      return { pattern, addPrefixSpace: byteLevel.add_prefix_space === true };
    }
  }
  throw new ModelError(`tokenizer.json's pre_tokenizer is ${typeOf(json)}; only byte-level BPE (ByteLevel, or a Split then ByteLevel) is read here`);
}

/**
 * Llama 3's (and GPT-4's) pattern starts with (?i:'s|'t|…), a case-insensitive group that Node 20's
 * regular expressions lack: a group of plain text is rewritten with each letter as [xX].
 */
function withoutInlineIgnoreCase(source: string): string {
  return source.replace(/\(\?i:([^()[\]\\]*)\)/g, (_all, inner: string) => `(?:${inner.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)})`);
}


const NORMALIZERS: Record<string, (text: string) => string> = {
  NFC: (t) => t.normalize('NFC'),
  NFD: (t) => t.normalize('NFD'),
  NFKC: (t) => t.normalize('NFKC'),
  NFKD: (t) => t.normalize('NFKD'),
  Lowercase: (t) => t.toLowerCase(),
};

export function readNormalizer(json: unknown): (text: string) => string {
  if (json === null || json === undefined) return (t) => t;
  if (isObject(json) && json.type === 'Sequence' && Array.isArray(json.normalizers)) {
    const steps = json.normalizers.map(readNormalizer);
    return (t) => steps.reduce((text, step) => step(text), t);
  }
  const step = isObject(json) ? NORMALIZERS[String(json.type)] : undefined;
  if (!step) throw new ModelError(`tokenizer.json's normalizer ${typeOf(json)} is not read here (${Object.keys(NORMALIZERS).join(', ')} and Sequence are)`);
  return step;
}

/** The ids the post-processor puts around a single text: [before…, text, after…]. */
export function readPostProcessor(json: unknown, idOf: (token: string) => number): { before: number[]; after: number[] } {
  const none = { before: [], after: [] };
  if (json === null || json === undefined || (isObject(json) && json.type === 'ByteLevel')) return none;
  if (!isObject(json)) throw new ModelError(`tokenizer.json's post_processor ${JSON.stringify(json)} is not read here`);
  if (json.type === 'Sequence' && Array.isArray(json.processors)) {
    return json.processors.map((p) => readPostProcessor(p, idOf)).reduce((a, b) => ({ before: [...a.before, ...b.before], after: [...b.after, ...a.after] }), none);
  }
  if ((json.type === 'BertProcessing' || json.type === 'RobertaProcessing') && Array.isArray(json.cls) && Array.isArray(json.sep)) {
    return { before: [Number(json.cls[1])], after: [Number(json.sep[1])] };
  }
  if (json.type === 'TemplateProcessing' && Array.isArray(json.single) && isObject(json.special_tokens)) {
    const specials = json.special_tokens;
    const out = { before: [] as number[], after: [] as number[] };
    let seenText = false;
    for (const part of json.single as unknown[]) {
      if (isObject(part) && 'Sequence' in part) {
        seenText = true;
        continue;
      }
      const name = isObject(part) && isObject(part.SpecialToken) ? String(part.SpecialToken.id) : undefined;
      const entry = name !== undefined ? specials[name] : undefined;
      const ids = isObject(entry) && Array.isArray(entry.ids) ? entry.ids.map(Number) : name !== undefined ? [idOf(name)] : undefined;
      if (!ids) throw new ModelError(`tokenizer.json's TemplateProcessing has a part ${JSON.stringify(part)} that is not read here`);
      (seenText ? out.after : out.before).push(...ids);
    }
    return out;
  }
  throw new ModelError(`tokenizer.json's post_processor ${typeOf(json)} is not read here (ByteLevel, TemplateProcessing, BertProcessing, RobertaProcessing are)`);
}

export class ByteLevelBpe {
  private readonly vocab: Map<string, number>;
  private readonly tokens: string[] = [];
  private readonly ranks = new Map<string, number>();
  private readonly added: { content: string; id: number }[];
  private readonly addedPattern?: RegExp;
  private readonly pre: PreTokenizer;
  private readonly normalize: (text: string) => string;
  private readonly special: { before: number[]; after: number[] };
  private readonly ignoreMerges: boolean;
  private readonly cache = new Map<string, number[]>();

  /** `json` is tokenizer.json parsed. */
  constructor(json: unknown) {
    if (!isObject(json) || !isObject(json.model)) throw new ModelError('tokenizer.json must hold an object with a "model"');
    const model = json.model;
    if (model.type !== 'BPE') throw new ModelError(`tokenizer.json's model is ${String(model.type)}; only byte-level BPE is read here`);
    if (model.byte_fallback === true) throw new ModelError("tokenizer.json's BPE uses byte_fallback (a SentencePiece-style tokenizer); only byte-level BPE is read here");
    if (model.continuing_subword_prefix || model.end_of_word_suffix) throw new ModelError("tokenizer.json's BPE has a subword prefix or suffix; byte-level BPE has neither");
    if (!isObject(model.vocab) || !Array.isArray(model.merges)) throw new ModelError("tokenizer.json's BPE model needs a vocab object and a merges list");
    this.vocab = new Map();
    for (const [token, id] of Object.entries(model.vocab)) {
      if (!Number.isInteger(id)) throw new ModelError(`tokenizer.json's vocab gives ${JSON.stringify(token)} the id ${JSON.stringify(id)}; ids are integers`);
      this.vocab.set(token, id as number);
      this.tokens[id as number] = token;
    }
    model.merges.forEach((merge: unknown, rank: number) => {
      // "a b" (tokenizers < 0.20) or ["a", "b"].
      const pair = typeof merge === 'string' ? merge.split(' ') : merge;
      if (!Array.isArray(pair) || pair.length !== 2 || pair.some((p) => typeof p !== 'string')) throw new ModelError(`tokenizer.json's merge ${rank} (${JSON.stringify(merge)}) is not a pair of tokens`);
      const key = `${pair[0]} ${pair[1]}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
    this.ignoreMerges = model.ignore_merges === true;
    this.added = (Array.isArray(json.added_tokens) ? json.added_tokens : []).filter(isObject).map((t) => ({ content: String(t.content), id: Number(t.id) }));
    for (const { content, id } of this.added) this.tokens[id] ??= content;
    this.addedPattern = addedTokenPattern(this.added);
    this.pre = readPreTokenizer(json.pre_tokenizer);
    this.normalize = readNormalizer(json.normalizer);
    this.special = readPostProcessor(json.post_processor, (token) => this.idOf(token));
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  private idOf(token: string): number {
    const id = this.vocab.get(token) ?? this.added.find((t) => t.content === token)?.id;
    if (id === undefined) throw new ModelError(`tokenizer.json names the token ${JSON.stringify(token)}, which is not in its vocabulary`);
    return id;
  }

  /** The ids of `text`, with the post-processor's special tokens around it unless told not to. */
  encode(text: string, addSpecialTokens = true): number[] {
    const ids: number[] = addSpecialTokens ? [...this.special.before] : [];
    let from = 0;
    if (this.addedPattern) {
      this.addedPattern.lastIndex = 0;
      for (let m = this.addedPattern.exec(text); m; m = this.addedPattern.exec(text)) {
        this.encodePlain(text.slice(from, m.index), ids);
        ids.push(this.added.find((t) => t.content === m![0])!.id);
        from = m.index + m[0].length;
      }
    }
    this.encodePlain(text.slice(from), ids);
    if (addSpecialTokens) ids.push(...this.special.after);
    return ids;
  }

  private encodePlain(text: string, ids: number[]): void {
    if (!text) return;
    let normalized = this.normalize(text);
    if (this.pre.addPrefixSpace && !/^\s/u.test(normalized)) normalized = ' ' + normalized;
    const pieces = this.pre.pattern ? normalized.match(this.pre.pattern) ?? [] : [normalized];
    for (const piece of pieces) ids.push(...this.encodePiece(piece));
  }

  private encodePiece(piece: string): number[] {
    const cached = this.cache.get(piece);
    if (cached) return cached;
    const mapped = Array.from(new TextEncoder().encode(piece), (b) => BYTE_CHAR[b]);
    const whole = mapped.join('');
    let symbols = this.ignoreMerges && this.vocab.has(whole) ? [whole] : mapped;
    // The lowest-ranked adjacent pair is merged (the leftmost among equals) until none is mergeable.
    while (symbols.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let k = 0; k + 1 < symbols.length; k++) {
        const rank = this.ranks.get(`${symbols[k]} ${symbols[k + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = k;
        }
      }
      if (best < 0) break;
      symbols = [...symbols.slice(0, best), symbols[best] + symbols[best + 1], ...symbols.slice(best + 2)];
    }
    const ids = symbols.map((s) => {
      const id = this.vocab.get(s);
      if (id === undefined) throw new ModelError(`tokenizer.json's vocabulary lacks ${JSON.stringify(s)}, a symbol its own merges make: the file is inconsistent`);
      return id;
    });
    if (this.cache.size < 65536) this.cache.set(piece, ids);
    return ids;
  }

  /** The text of ids: byte characters back to bytes, then UTF-8 (a token that ends inside a character shows U+FFFD). */
  decode(ids: readonly number[]): string {
    const text = new DecodedText();
    for (const id of ids) {
      const token = this.tokens[id];
      if (token === undefined) throw new ModelError(`token id ${id} is not in tokenizer.json's vocabulary`);
      if (this.added.some((t) => t.id === id)) {
        text.string(token);
        continue;
      }
      for (const c of token) {
        const b = CHAR_BYTE.get(c);
        if (b === undefined) throw new ModelError(`tokenizer.json's token ${JSON.stringify(token)} has ${JSON.stringify(c)}, which is not in the byte alphabet`);
        text.byte(b);
      }
    }
    return text.toString();
  }
}
