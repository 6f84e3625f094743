import { strict as assert } from 'assert';
import { tokenize } from '../../src/core';

describe('tokenizers', () => {
  it('GPT-2 BPE splits as GPT-2 does (r50k_base), keeping leading spaces', () => {
    assert.deepEqual(tokenize('Hello world, sparse attention!', 'gpt2'), ['Hello', ' world', ',', ' sparse', ' attention', '!']);
  });
  it('whitespace and characters', () => {
    assert.deepEqual(tokenize('  a bb\nccc ', 'whitespace'), ['a', 'bb', 'ccc']);
    assert.deepEqual(tokenize('añ😀', 'characters'), ['a', 'ñ', '😀']);
  });
});
