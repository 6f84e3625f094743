/**
 * The tokenizer a GGUF file carries in its metadata, as the tokenizer.json it was converted from.
 * `tokenizer.ggml.model` "gpt2" is byte-level BPE: the vocabulary (`tokenizer.ggml.tokens`, its
 * index the id), the merges ("a b" by rank), control and user-defined tokens (`token_type` 3, 4)
 * split out first as added tokens, the pre-tokenizer's regular expression named by
 * `tokenizer.ggml.pre` (llama.cpp's llama-vocab.cpp: "gpt-2" is GPT-2's, "llama-bpe" Llama 3's,
 * which also skips merges for whole-word tokens and adds BOS), and BOS/EOS where
 * `tokenizer.ggml.add_bos_token` / `add_eos_token` say. SentencePiece ("llama": pieces, scores and
 * types) is sentencePieceSpecs.ts's; the other models are not read: the reason is handed back.
 */
import type { SentencePieceSpec } from './sentencePiece';
import { sentencePieceFromGguf } from './sentencePieceSpecs';
import type { GgufValue } from './types';

export type GgufTokenizer =
  | { json: unknown; sentencePiece?: undefined; refusal?: undefined }
  | { json?: undefined; sentencePiece: SentencePieceSpec; refusal?: undefined }
  | { json?: undefined; sentencePiece?: undefined; refusal: string };

const LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** tokenizer.ggml.pre values → the pre-tokenizer, and whether llama.cpp adds BOS and ignores merges by default. */
const PRE_TOKENIZERS: Record<string, { preTokenizer: unknown; addBos: boolean; ignoreMerges: boolean }> = {
  'gpt-2': { preTokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true }, addBos: false, ignoreMerges: false },
  'llama-bpe': {
    preTokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: LLAMA3_PATTERN }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel', add_prefix_space: false, use_regex: false }] },
    addBos: true,
    ignoreMerges: true,
  },
};
PRE_TOKENIZERS['llama3'] = PRE_TOKENIZERS['llama-v3'] = PRE_TOKENIZERS['llama-bpe'];

const CONTROL = 3;
const USER_DEFINED = 4;

export function ggufTokenizer(values: ReadonlyMap<string, GgufValue>, file: string): GgufTokenizer {
  const model = values.get('tokenizer.ggml.model');
  const elsewhere = 'put the model\'s tokenizer.json beside the file, or give token ids with --tokens';
  if (model === undefined) return { refusal: `${file} carries no tokenizer (no tokenizer.ggml.model): ${elsewhere}` };
  if (model === 'llama') {
    const read = sentencePieceFromGguf(values, file, elsewhere);
    return 'spec' in read ? { sentencePiece: read.spec } : read;
  }
  if (model !== 'gpt2') {
    return { refusal: `${file}'s tokenizer is tokenizer.ggml.model "${String(model)}", which the inspector does not read (byte-level BPE, "gpt2", and SentencePiece, "llama", it does): ${elsewhere}` };
  }
  const pre = values.get('tokenizer.ggml.pre') ?? 'gpt-2';
  const known = PRE_TOKENIZERS[String(pre)];
  if (!known) return { refusal: `${file}'s pre-tokenizer is tokenizer.ggml.pre "${String(pre)}", which the inspector does not know (${Object.keys(PRE_TOKENIZERS).join(', ')} it does): ${elsewhere}` };
  const tokens = values.get('tokenizer.ggml.tokens');
  const merges = values.get('tokenizer.ggml.merges');
  const types = values.get('tokenizer.ggml.token_type');
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) return { refusal: `${file} has no tokenizer.ggml.tokens list of strings: ${elsewhere}` };
  if (!Array.isArray(merges) || !merges.every((m) => typeof m === 'string')) return { refusal: `${file} has no tokenizer.ggml.merges list of strings: ${elsewhere}` };
  const vocab: Record<string, number> = {};
  const added: { id: number; content: string; special: boolean }[] = [];
  tokens.forEach((token, id) => {
    const type = Array.isArray(types) ? types[id] : undefined;
    if (type === CONTROL || type === USER_DEFINED) added.push({ id, content: token as string, special: type === CONTROL });
    else vocab[token as string] ??= id;
  });
  const flag = (key: string, fallback: boolean) => {
    const value = values.get(key);
    return typeof value === 'boolean' ? value : fallback;
  };
  const specialId = (key: string) => {
    const value = values.get(key);
    const id = typeof value === 'bigint' ? Number(value) : value;
    return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < tokens.length ? id : undefined;
  };
  const bos = flag('tokenizer.ggml.add_bos_token', known.addBos) ? specialId('tokenizer.ggml.bos_token_id') : undefined;
  const eos = flag('tokenizer.ggml.add_eos_token', false) ? specialId('tokenizer.ggml.eos_token_id') : undefined;
  const single = [...(bos === undefined ? [] : [{ SpecialToken: { id: 'bos', type_id: 0 } }]), { Sequence: { id: 'A', type_id: 0 } }, ...(eos === undefined ? [] : [{ SpecialToken: { id: 'eos', type_id: 0 } }])];
  const specialTokens: Record<string, unknown> = {};
  if (bos !== undefined) specialTokens.bos = { id: tokens[bos], ids: [bos], tokens: [tokens[bos]] };
  if (eos !== undefined) specialTokens.eos = { id: tokens[eos], ids: [eos], tokens: [tokens[eos]] };
  return {
    json: {
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: known.preTokenizer,
      post_processor: bos === undefined && eos === undefined ? null : { type: 'TemplateProcessing', single, special_tokens: specialTokens },
      model: { type: 'BPE', vocab, merges, ignore_merges: known.ignoreMerges, byte_fallback: false },
    },
  };
}
