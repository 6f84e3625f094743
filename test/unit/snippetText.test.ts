import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { torchSnippet } from '../../src/core';
import { snippetCases } from '../support/snippetCases';

/** name → snippet, from the reviewed file (written by its make.js; torch.test.ts runs each one). */
function reviewedSnippets(): Map<string, string> {
  const text = readFileSync(join(__dirname, '../fixtures/torch-snippets/snippets.txt'), 'utf8');
  const entries = text.split(/^### /m).slice(1).map((entry) => {
    const newline = entry.indexOf('\n');
    return [entry.slice(0, newline), entry.slice(newline + 1, -1)] as const;
  });
  return new Map(entries);
}

describe('PyTorch snippet text', () => {
  it('each preset prints the reviewed snippet, line for line (comments included: they are what a reader sees)', () => {
    const reviewed = reviewedSnippets();
    const cases = snippetCases();
    assert.equal(reviewed.size, cases.length);
    for (const [name, config] of cases) {
      const expected = reviewed.get(name);
      assert.ok(expected !== undefined, `no reviewed snippet for ${name}`);
      assert.deepEqual(torchSnippet(config).split('\n'), expected.split('\n'), name);
    }
  });
});
