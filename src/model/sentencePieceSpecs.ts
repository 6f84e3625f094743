/**
 * The SentencePiece BPE a model file describes: a Hugging Face tokenizer.json whose BPE has
 * byte_fallback (transformers' LlamaConverter: merges, "▁" put in by a Prepend + Replace normalizer
 * or by a Metaspace pre-tokenizer), or a GGUF file's `tokenizer.ggml.model` "llama" (llama.cpp's
 * converter: every piece with its score and type). Anything else in them is refused by name.
 */
import { readNormalizer, readPostProcessor } from './bpe';
import type { SentencePieceSpec } from './sentencePiece';
import { isJsonObject, Json } from './tokenizerText';
import type { GgufValue } from './types';
import { ModelError } from './weights';

const isObject = isJsonObject;
const SPACE = '\u2581';

/** A Prepend("▁") / Replace(" " → "▁") normalizer step: what SentencePiece's own escaping does. */
function isSpaceEscaping(step: unknown): boolean {
  if (!isObject(step)) return false;
  if (step.type === 'Prepend') return step.prepend === SPACE;
  return step.type === 'Replace' && isObject(step.pattern) && step.pattern.String === ' ' && step.content === SPACE;
}

export function sentencePieceFromTokenizerJson(json: Json & { model: Json }): SentencePieceSpec {
  const model = json.model;
  if (!isObject(model.vocab) || !Array.isArray(model.merges)) throw new ModelError("tokenizer.json's BPE model needs a vocab object and a merges list");
  const pieceIds = new Map<string, number>();
  const pieces: string[] = [];
  for (const [piece, id] of Object.entries(model.vocab)) {
    if (!Number.isInteger(id) || (id as number) < 0) throw new ModelError(`tokenizer.json's vocab gives ${JSON.stringify(piece)} the id ${JSON.stringify(id)}; ids are integers`);
    pieceIds.set(piece, id as number);
    pieces[id as number] = piece;
  }
  const mergeRanks = new Map<string, number>();
  model.merges.forEach((merge: unknown, rank: number) => {
    const pair = typeof merge === 'string' ? merge.split(' ') : merge;
    if (!Array.isArray(pair) || pair.length !== 2 || pair.some((p) => typeof p !== 'string')) throw new ModelError(`tokenizer.json's merge ${rank} (${JSON.stringify(merge)}) is not a pair of tokens`);
    const key = `${pair[0]} ${pair[1]}`;
    if (!mergeRanks.has(key)) mergeRanks.set(key, rank);
  });
  const added = (Array.isArray(json.added_tokens) ? json.added_tokens : []).filter(isObject).map((t) => ({ content: String(t.content), id: Number(t.id) }));
  for (const { content, id } of added) pieces[id] ??= content;
  // "▁" comes from the normalizer (Llama 2: Prepend + Replace, on each piece of text) or a Metaspace pre-tokenizer.
  let prependScheme: SentencePieceSpec['prependScheme'] = 'never';
  let splitWords = false;
  let prependOnlyWithoutLeadingSpace = false;
  const steps = isObject(json.normalizer) && json.normalizer.type === 'Sequence' && Array.isArray(json.normalizer.normalizers) ? json.normalizer.normalizers : json.normalizer ? [json.normalizer] : [];
  if (steps.some(isSpaceEscaping)) {
    const replaces = steps.some((s) => isObject(s) && s.type === 'Replace' && isSpaceEscaping(s));
    if (!replaces) throw new ModelError('tokenizer.json prepends "▁" but does not replace spaces with it: not a SentencePiece normalizer read here');
    prependScheme = steps.some((s) => isObject(s) && s.type === 'Prepend' && isSpaceEscaping(s)) ? 'always' : 'never';
  }
  const rest = steps.filter((s) => !isSpaceEscaping(s));
  const normalize = rest.length ? readNormalizer({ type: 'Sequence', normalizers: rest }) : undefined;
  const pre = json.pre_tokenizer;
  if (pre !== null && pre !== undefined) {
    if (!isObject(pre) || pre.type !== 'Metaspace' || (pre.replacement !== undefined && pre.replacement !== SPACE)) {
      throw new ModelError(`tokenizer.json's pre_tokenizer ${isObject(pre) ? String(pre.type) : JSON.stringify(pre)} is not read with a byte-fallback BPE (none, or Metaspace with "▁", is)`);
    }
    // tokenizers ≥ 0.14 say prepend_scheme; older files add_prefix_space.
    const scheme = pre.prepend_scheme ?? (pre.add_prefix_space === false ? 'never' : 'always');
    if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') throw new ModelError(`tokenizer.json's Metaspace prepend_scheme ${JSON.stringify(scheme)} is not one of always, first, never`);
    prependScheme = scheme;
    splitWords = pre.split !== false;
    prependOnlyWithoutLeadingSpace = true;
  }
  const unkId = typeof model.unk_token === 'string' ? pieceIds.get(model.unk_token) : undefined;
  const idOf = (token: string) => {
    const id = pieceIds.get(token) ?? added.find((t) => t.content === token)?.id;
    if (id === undefined) throw new ModelError(`tokenizer.json names the token ${JSON.stringify(token)}, which is not in its vocabulary`);
    return id;
  };
  const { before, after } = readPostProcessor(json.post_processor, idOf);
  return { pieces, pieceIds, mergeRanks, unkId, normalize, prependScheme, prependOnlyWithoutLeadingSpace, splitWords, added, before, after };
}

// llama.cpp's llama_token_type (gguf-py's TokenType).
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const USER_DEFINED = 4;
const UNUSED = 5;

/** GGUF `tokenizer.ggml.model` "llama": its pieces, scores and types; undefined values give the reason. */
export function sentencePieceFromGguf(values: ReadonlyMap<string, GgufValue>, file: string, elsewhere: string): { spec: SentencePieceSpec } | { refusal: string } {
  const tokens = values.get('tokenizer.ggml.tokens');
  const scores = values.get('tokenizer.ggml.scores');
  const types = values.get('tokenizer.ggml.token_type');
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) return { refusal: `${file} has no tokenizer.ggml.tokens list of strings: ${elsewhere}` };
  if (!Array.isArray(scores) || scores.length !== tokens.length || !scores.every((s) => typeof s === 'number')) {
    return { refusal: `${file} has no tokenizer.ggml.scores, one number per token, which SentencePiece merging needs: ${elsewhere}` };
  }
  const typeOf = (id: number) => (Array.isArray(types) && typeof types[id] === 'number' ? (types[id] as number) : NORMAL);
  const pieceIds = new Map<string, number>();
  const added: { content: string; id: number }[] = [];
  let unkId: number | undefined;
  (tokens as string[]).forEach((piece, id) => {
    const type = typeOf(id);
    if (type === NORMAL || type === USER_DEFINED || type === UNUSED) pieceIds.set(piece, pieceIds.get(piece) ?? id);
    if (type === CONTROL || type === USER_DEFINED) added.push({ content: piece, id });
    if (type === UNKNOWN) unkId ??= id;
  });
  const id = (key: string) => {
    const value = values.get(key);
    const n = typeof value === 'bigint' ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < tokens.length ? n : undefined;
  };
  const flag = (key: string, fallback: boolean) => {
    const value = values.get(key);
    return typeof value === 'boolean' ? value : fallback;
  };
  // llama.cpp's defaults for SentencePiece vocabularies: BOS yes, EOS no, a space in front.
  const bos = flag('tokenizer.ggml.add_bos_token', true) ? id('tokenizer.ggml.bos_token_id') : undefined;
  const eos = flag('tokenizer.ggml.add_eos_token', false) ? id('tokenizer.ggml.eos_token_id') : undefined;
  return {
    spec: {
      pieces: tokens as string[],
      pieceIds,
      scores: scores as number[],
      unkId: id('tokenizer.ggml.unknown_token_id') ?? unkId,
      prependScheme: flag('tokenizer.ggml.add_space_prefix', true) ? 'always' : 'never',
      splitWords: false,
      added,
      before: bos === undefined ? [] : [bos],
      after: eos === undefined ? [] : [eos],
    },
  };
}
