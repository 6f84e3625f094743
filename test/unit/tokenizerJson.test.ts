/**
 * Byte-level BPE from tokenizer.json: the fixture's tokens (make.py's own BPE), and GPT-2's and
 * GPT-4's real vocabularies rebuilt as tokenizer.json (vocab + merges recovered from the ranks that
 * gpt-tokenizer ships) encoding text exactly as gpt-tokenizer does; the post-processors' special
 * tokens; and the refusals.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { encode as cl100kEncode } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as r50kEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { join } from 'path';
import { ByteLevelBpe, modelTokenizer } from '../../src/model';
import { integers, readNpz } from '../support/npz';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');
const fixtureJson = () => JSON.parse(readFileSync(join(FIXTURES, 'gpt2', 'tokenizer.json'), 'utf8')) as Record<string, any>;

/** GPT-2's printable stand-in for each byte (bytes_to_unicode in GPT-2's encoder.py). */
const BYTE_CHAR = (() => {
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return table;
})();

/**
 * A tiktoken rank table as tokenizer.json's vocab and merges: a token's merge is the last step of
 * BPE over its bytes using only the lower ranks (each token was made by merging two).
 */
function tokenizerFromRanks(ranks: Array<string | number[]>, preTokenizer: unknown, ignoreMerges: boolean, mergesAsStrings: boolean): Record<string, any> {
  const encoder = new TextEncoder();
  const tokens = ranks.map((t) => Array.from(typeof t === 'string' ? encoder.encode(t) : t, (b) => BYTE_CHAR[b]));
  const rankOf = new Map(tokens.map((chars, r) => [chars.join(''), r]));
  const vocab: Record<string, number> = {};
  const merges: string[][] = [];
  tokens.forEach((chars, r) => {
    vocab[chars.join('')] = r;
    if (chars.length < 2) return;
    let parts = chars;
    for (;;) {
      let best = -1;
      let bestRank = r;
      for (let k = 0; k + 1 < parts.length; k++) {
        const rank = rankOf.get(parts[k] + parts[k + 1]);
        if (rank !== undefined && rank < bestRank) [best, bestRank] = [k, rank];
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), parts[best] + parts[best + 1], ...parts.slice(best + 2)];
    }
    if (parts.length === 2) merges.push(parts);
  });
  // tokenizers before 0.20 wrote each merge as "a b"; later ones as ["a", "b"].
  const written = mergesAsStrings ? merges.map((pair) => pair.join(' ')) : merges;
  return { model: { type: 'BPE', vocab, merges: written, ignore_merges: ignoreMerges }, pre_tokenizer: preTokenizer, added_tokens: [], normalizer: null, post_processor: null };
}

const TEXTS = [
  'Hello world, sparse attention!',
  "I'm sure they'll say it's fine; we've seen THEY'RE and She'D too. SHOUTING: IT'SA DEAL, WE'VEGOT IT",
  '  leading spaces,\ttabs\t\tand\n\nnewlines   \n trailing   ',
  'numbers 1234567 3.14159 -0.5e10 and 2026-12-01',
  'naïve café, Ελληνικά, русский, 日本語のテキスト, emoji 😀👍🏽 and combining é',
  'def attend(q, k, v):\n    return softmax(q @ k.T / sqrt(d)) @ v  # __dunder__',
];

describe('byte-level BPE from tokenizer.json', function () {
  this.timeout(120000);
  const realTexts = () => [...TEXTS, readFileSync(join(__dirname, '..', '..', 'examples', 'sequence.txt'), 'utf8'), readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8')];

  it("the fixture's tokenizer gives make.py's tokens, and decodes them back to the text", () => {
    const text = readFileSync(join(FIXTURES, 'text.txt'), 'utf8');
    const tokenizer = new ByteLevelBpe(fixtureJson());
    const ids = tokenizer.encode(text);
    assert.deepEqual(ids, integers(readNpz(join(FIXTURES, 'expected', 'gpt2.npz')), 'tokens'));
    assert.equal(tokenizer.decode(ids), text);
  });

  it("GPT-2's vocabulary (50,000 merges, as \"a b\" strings) encodes as gpt-tokenizer's r50k_base does", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ranks = require('gpt-tokenizer/bpeRanks/r50k_base').default as Array<string | number[]>;
    const json = tokenizerFromRanks(ranks, { type: 'ByteLevel', add_prefix_space: false, use_regex: true }, false, true);
    assert.equal(json.model.merges.length, 50000);
    const tokenizer = new ByteLevelBpe(json);
    for (const text of realTexts()) {
      const ids = tokenizer.encode(text);
      assert.deepEqual(ids, r50kEncode(text), `r50k: ${text.slice(0, 40)}`);
      assert.equal(tokenizer.decode(ids), text);
    }
  });

  it("GPT-4's cl100k_base as Llama 3 writes it (Split with (?i:…), ByteLevel, ignore_merges, merges as pairs) encodes as gpt-tokenizer does", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ranks = require('gpt-tokenizer/bpeRanks/cl100k_base').default as Array<string | number[]>;
    const pattern = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const pre = {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    };
    const tokenizer = new ByteLevelBpe(tokenizerFromRanks(ranks, pre, true, false));
    for (const text of realTexts()) assert.deepEqual(tokenizer.encode(text), cl100kEncode(text), `cl100k: ${text.slice(0, 40)}`);
  });

  it('special tokens: added tokens split out first; TemplateProcessing and RobertaProcessing around the text', () => {
    const json = fixtureJson();
    const eot = json.added_tokens[0].id as number;
    const plain = new ByteLevelBpe(json).encode('the fox', false);
    assert.deepEqual(new ByteLevelBpe(json).encode('the fox<|endoftext|>the fox'), [...plain, eot, ...plain]);
    const template = {
      ...json,
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<|endoftext|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [],
        special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [eot], tokens: ['<|endoftext|>'] } },
      },
    };
    assert.deepEqual(new ByteLevelBpe(template).encode('the fox'), [eot, ...plain]);
    assert.deepEqual(new ByteLevelBpe(template).encode('the fox', false), plain);
    const roberta = { ...json, post_processor: { type: 'RobertaProcessing', sep: ['</s>', 7], cls: ['<s>', 5], trim_offsets: true, add_prefix_space: false } };
    assert.deepEqual(new ByteLevelBpe(roberta).encode('the fox'), [5, ...plain, 7]);
    const prefixed = { ...json, pre_tokenizer: { ...json.pre_tokenizer, add_prefix_space: true } };
    assert.deepEqual(new ByteLevelBpe(prefixed).encode('the fox'), new ByteLevelBpe(json).encode(' the fox'));
  });

  it("a model folder's tokens: its tokenizer.json, else GPT-2's BPE; labels are each token's text", () => {
    const own = modelTokenizer(fixtureJson());
    assert.equal(own.source, 'tokenizer.json');
    assert.deepEqual(own.encode('the fox'), new ByteLevelBpe(fixtureJson()).encode('the fox'));
    assert.deepEqual(own.labels(own.encode(' the café')), [' the', ' café']);
    const gpt2 = modelTokenizer(undefined);
    assert.equal(gpt2.source, 'GPT-2 BPE');
    assert.deepEqual(gpt2.encode('Hello world'), [15496, 995]);
    assert.deepEqual(gpt2.labels([15496, 995]), ['Hello', ' world']);
    assert.equal(gpt2.decode([15496, 995]), 'Hello world');
  });

  it('refuses what is not byte-level BPE, and inconsistent files, by name', () => {
    const json = fixtureJson();
    const refuses = (changed: unknown, pattern: RegExp) => assert.throws(() => new ByteLevelBpe(changed), pattern);
    refuses({ ...json, model: { ...json.model, type: 'WordPiece' } }, /model is WordPiece; only byte-level BPE is read here/);
    refuses({ ...json, model: { ...json.model, byte_fallback: true } }, /byte_fallback \(a SentencePiece-style tokenizer\)/);
    refuses({ ...json, pre_tokenizer: { type: 'Metaspace', replacement: '▁' } }, /pre_tokenizer is Metaspace; only byte-level BPE/);
    refuses({ ...json, normalizer: { type: 'BertNormalizer' } }, /normalizer BertNormalizer is not read here/);
    refuses({ ...json, model: { ...json.model, merges: ['a b c'] } }, /merge 0 \("a b c"\) is not a pair of tokens/);
    refuses({ ...json, post_processor: { type: 'Mystery' } }, /post_processor Mystery is not read here/);
    const split = (Regex: string) => ({ type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex }, behavior: 'Isolated', invert: false }, { type: 'ByteLevel', use_regex: false }] });
    refuses({ ...json, pre_tokenizer: split('(unclosed') }, /Split pattern does not compile as a JavaScript regular expression/);
    refuses([1], /must hold an object with a "model"/);
    const vocab = { ...json.model.vocab };
    delete vocab['Ġthe'];
    assert.throws(() => new ByteLevelBpe({ ...json, model: { ...json.model, vocab } }).encode(' the'), /vocabulary lacks "Ġthe", a symbol its own merges make/);
  });
});
