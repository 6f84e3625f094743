/**
 * SentencePiece BPE (Llama 2 style) against sentencepiece itself (make_sentencepiece.py trained the
 * model and wrote its ids for each text): from tokenizer.json as transformers writes it (legacy
 * normalizer and Metaspace), and from a GGUF file's pieces, scores and types.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Tokenizer } from '@huggingface/tokenizers';
import { GgufValue, ggufTokenizer, ModelError, modelTokenizer } from '../../src/model';
import { sentencePieceFromTokenizerJson } from '../../src/model/sentencePieceSpecs';
import { openFixture } from '../support/checkpoints';

const FOLDER = join(__dirname, '..', 'fixtures', 'models', 'sentencepiece');
const expected: { bos: number; cases: Array<{ text: string; ids: number[]; decoded: string }> } = JSON.parse(readFileSync(join(FOLDER, 'expected.json'), 'utf8'));
const json = (name: string) => JSON.parse(readFileSync(join(FOLDER, name), 'utf8'));

describe('SentencePiece BPE against sentencepiece', () => {
  for (const file of ['tokenizer.json', 'tokenizer-metaspace.json']) {
    it(`${file}: every text's ids and decoded text are sentencepiece's, <s> in front`, () => {
      const tokenizer = modelTokenizer(json(file));
      assert.equal(tokenizer.source, 'tokenizer.json');
      for (const { text, ids, decoded } of expected.cases) {
        // Metaspace adds no "▁" before a leading space (tokenizers' rule; sentencepiece's dummy prefix always does): tokenizerLibrary.test.ts checks it.
        if (file === 'tokenizer-metaspace.json' && text.startsWith(' ')) continue;
        assert.deepEqual(tokenizer.encode(text), [expected.bos, ...ids], JSON.stringify(text));
        assert.equal(tokenizer.decode(ids), decoded, JSON.stringify(text));
      }
    });
  }

  it("llama-spm.gguf: the file's pieces, scores and types tokenize as sentencepiece does, BOS added", async () => {
    const checkpoint = await openFixture('llama-spm.gguf');
    const read = ggufTokenizer(checkpoint.ggufMetadata!, 'llama-spm.gguf');
    assert.ok(read.sentencePiece, read.refusal);
    const tokenizer = modelTokenizer(undefined, { sentencePiece: read.sentencePiece });
    assert.equal(tokenizer.source, 'GGUF metadata');
    for (const { text, ids, decoded } of expected.cases) {
      assert.deepEqual(tokenizer.encode(text), [expected.bos, ...ids], JSON.stringify(text));
      assert.equal(tokenizer.decode(ids), decoded);
    }
    assert.deepEqual(tokenizer.labels(expected.cases[0].ids.slice(0, 3)), [' ', '<0x54>', 'he']);
  });

  it('special tokens in the text are split out as Hugging Face does; a long text merges in one pass', () => {
    const tokenizer = modelTokenizer(json('tokenizer.json'));
    // <s> first (the post-processor), then the one in the text.
    const ids = tokenizer.encode('fox<s>fox');
    assert.deepEqual(ids.filter((id) => id === expected.bos).length, 2, `${ids}`);
    const long = expected.cases.map((c) => c.text).join(' ').repeat(200);
    const encoded = tokenizer.encode(long);
    assert.equal(tokenizer.decode(encoded.slice(1)), long);
  });

  it('refuses what it does not read, by name', () => {
    const base = json('tokenizer.json');
    // Refused here, read by @huggingface/tokenizers instead (modelTokenizer): tokenizerLibrary.test.ts.
    assert.throws(() => sentencePieceFromTokenizerJson({ ...base, pre_tokenizer: { type: 'Whitespace' } }), (e: Error) => e instanceof ModelError && /pre_tokenizer Whitespace is not read with a byte-fallback BPE/.test(e.message));
    assert.throws(() => sentencePieceFromTokenizerJson({ ...base, normalizer: { type: 'Prepend', prepend: '\u2581' } }), /prepends "▁" but does not replace spaces/);
    assert.deepEqual(modelTokenizer({ ...base, pre_tokenizer: { type: 'Whitespace' } }).encode('the fox'), new Tokenizer({ ...base, pre_tokenizer: { type: 'Whitespace' } }, {}).encode('the fox').ids);
    const values = new Map<string, GgufValue>([['tokenizer.ggml.model', 'llama'], ['tokenizer.ggml.tokens', ['a', 'b']]]);
    assert.match(ggufTokenizer(values, 'x.gguf').refusal!, /x\.gguf has no tokenizer\.ggml\.scores, one number per token/);
    assert.match(ggufTokenizer(new Map<string, GgufValue>([['tokenizer.ggml.model', 'bert']]), 'x.gguf').refusal!, /"bert", which the inspector does not read/);
  });
});
