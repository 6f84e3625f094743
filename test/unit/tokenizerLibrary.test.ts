/**
 * tokenizer.json models the BPE readers here do not read go to Hugging Face's tokenizers.js:
 * WordPiece (BERT uncased and cased) against BERT's own algorithm (make_wordpiece.py). And the
 * readers here against that library on the byte-level and SentencePiece fixtures: same ids.
 */
import { strict as assert } from 'assert';
import { Tokenizer } from '@huggingface/tokenizers';
import { readFileSync } from 'fs';
import { join } from 'path';
import { ModelError, modelTokenizer } from '../../src/model';

const MODELS = join(__dirname, '..', 'fixtures', 'models');
const json = (path: string) => JSON.parse(readFileSync(join(MODELS, path), 'utf8'));

describe('tokenizer.json through @huggingface/tokenizers', () => {
  const expected = json('wordpiece/expected.json') as Record<string, Array<{ text: string; pieces: string[]; ids: number[] }>>;
  for (const variant of ['uncased', 'cased']) {
    it(`WordPiece (${variant}): [CLS] + BERT's pieces + [SEP] for every text, labelled as the vocabulary writes them`, () => {
      const tokenizer = modelTokenizer(json(`wordpiece/tokenizer-${variant}.json`));
      assert.equal(tokenizer.source, 'tokenizer.json');
      for (const { text, pieces, ids } of expected[variant]) {
        const got = tokenizer.encode(text);
        assert.deepEqual(got, ids, JSON.stringify(text));
        assert.deepEqual(tokenizer.labels(got), ['[CLS]', ...pieces, '[SEP]'], JSON.stringify(text));
      }
    });
  }

  it('the BPE readers here give the library\'s ids on the byte-level and SentencePiece fixtures', () => {
    const texts = [readFileSync(join(MODELS, 'text.txt'), 'utf8'), ...json('sentencepiece/expected.json').cases.map((c: { text: string }) => c.text)];
    for (const path of ['gpt2/tokenizer.json', 'sentencepiece/tokenizer.json', 'sentencepiece/tokenizer-metaspace.json']) {
      const ours = modelTokenizer(json(path));
      const library = new Tokenizer(json(path), {});
      for (const text of texts) assert.deepEqual(ours.encode(text), library.encode(text).ids, `${path}: ${JSON.stringify(text)}`);
    }
  });

  it('a tokenizer.json neither reads is one error naming both reasons', () => {
    const broken = { model: { type: 'Mystery', vocab: {} } };
    const unreadable = { model: { type: 'WordPiece', vocab: 7 } };
    assert.throws(() => modelTokenizer(unreadable).encode('a b'), ModelError);
    assert.throws(() => modelTokenizer(broken), (e: Error) => e instanceof ModelError && /model is Mystery; only byte-level BPE is read here; nor is it a WordPiece or Unigram model/.test(e.message));
  });
});
