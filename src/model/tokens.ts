/**
 * A model's tokens: its tokenizer.json when the folder has one (byte-level BPE and SentencePiece-style
 * BPE with byte fallback are read here; WordPiece, Unigram and what these readers refuse go through
 * Hugging Face's tokenizers.js), or the tokenizer a GGUF file carries; else GPT-2's BPE (r50k_base,
 * through gpt-tokenizer), which GPT-2 checkpoints without a tokenizer.json use; or none at all when
 * the caller knows GPT-2's would be wrong (a GGUF model with a tokenizer not read here): then text is
 * refused with the reason, and ids are labelled #id.
 */
import { decode as gpt2Decode, encode as gpt2Encode } from 'gpt-tokenizer/encoding/r50k_base';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { ByteLevelBpe } from './bpe';
import { SentencePieceBpe, SentencePieceSpec } from './sentencePiece';
import { sentencePieceFromTokenizerJson } from './sentencePieceSpecs';
import { isJsonObject } from './tokenizerText';
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
  /** A SentencePiece tokenizer a GGUF file describes (used when there is no tokenizer.json). */
  sentencePiece?: SentencePieceSpec;
}

/** `tokenizerJson` is tokenizer.json parsed, or undefined when the model folder has none. */
export function modelTokenizer(tokenizerJson: unknown | undefined, options: TokenizerOptions = {}): ModelTokenizer {
  // The GGUF file's own tokenizer, as its byte-level one, wins over a tokenizer.json beside it.
  if (options.sentencePiece) return sentencePieceTokenizer(new SentencePieceBpe(options.sentencePiece), 'GGUF metadata');
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
  const source = options.fromGguf ? 'GGUF metadata' : 'tokenizer.json';
  try {
    // SentencePiece-style BPE (Llama 2, Mistral): byte fallback instead of a byte alphabet.
    if (isObject(tokenizerJson) && isObject(tokenizerJson.model) && tokenizerJson.model.type === 'BPE' && tokenizerJson.model.byte_fallback === true) {
      return sentencePieceTokenizer(new SentencePieceBpe(sentencePieceFromTokenizerJson(tokenizerJson as Record<string, unknown> & { model: Record<string, unknown> })), source);
    }
    const bpe = new ByteLevelBpe(tokenizerJson);
    return { source, encode: (text) => bpe.encode(text), decode: (ids) => bpe.decode(ids), labels: (ids) => ids.map((id) => bpe.decode([id])) };
  } catch (e) {
    // What the BPE readers here do not read (WordPiece: BERT; Unigram: T5, ALBERT; other pre-tokenizers)
    // goes to Hugging Face's own JavaScript tokenizers.
    if (!(e instanceof ModelError)) throw e;
    return libraryTokenizer(tokenizerJson, source, e.message);
  }
}

/** Hugging Face's tokenizers.js on a tokenizer.json; WordPiece tokens are labelled as the vocabulary writes them (##ing). */
function libraryTokenizer(json: unknown, source: ModelTokenizer['source'], ownRefusal: string): ModelTokenizer {
  const model = isObject(json) && isObject(json.model) ? String(json.model.type) : undefined;
  if (model !== 'BPE' && model !== 'WordPiece' && model !== 'Unigram') throw new ModelError(`${ownRefusal}; nor is it a WordPiece or Unigram model, which @huggingface/tokenizers reads`);
  let tokenizer: HfTokenizer;
  try {
    tokenizer = new HfTokenizer(json as object, {});
  } catch (e) {
    throw new ModelError(`${ownRefusal}; nor does @huggingface/tokenizers read it: ${(e as Error).message}`);
  }
  const wordPiece = model === 'WordPiece';
  const decode = (ids: readonly number[]) => tokenizer.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  return {
    source,
    encode: (text) => tokenizer.encode(text).ids,
    decode,
    labels: (ids) => ids.map((id) => (wordPiece ? tokenizer.id_to_token(id) ?? decode([id]) : decode([id]))),
  };
}

const isObject = isJsonObject;

function sentencePieceTokenizer(spm: SentencePieceBpe, source: ModelTokenizer['source']): ModelTokenizer {
  return { source, encode: (text) => spm.encode(text), decode: (ids) => spm.decode(ids), labels: (ids) => spm.labels(ids) };
}
