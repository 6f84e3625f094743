import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { defaultConfig, FactorizedConfig, torchSnippet } from '../../src/core';
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

  it('cuts lra-fixed causally only when not bidirectional, and picks the interleaved set by layer parity', () => {
    const base = { ...(defaultConfig('fixed') as FactorizedConfig), n: 16, heads: 2, stride: 4, c: 1 };
    const lines = (config: FactorizedConfig) => torchSnippet(config).split('\n');
    const lra = { ...base, pattern: 'lra-fixed' as const };
    assert.ok(lines({ ...lra, bidirectional: true }).includes('head = ((i // l == j // l) | (j % l == 0) | (j % l >= l - c))'));
    assert.ok(lines({ ...lra, bidirectional: false }).includes('head = ((i // l == j // l) | (j % l == 0) | (j % l >= l - c)) & (j <= i)'));
    for (const [layer, set] of [[0, 'A1()'], [1, 'A2(h % K)'], [2, 'A1()'], [3, 'A2(h % K)']] as const) {
      assert.ok(lines({ ...base, mode: 'interleaved', layer }).includes(`    mask[h] = ${set}  # interleaved, layer ${layer}`), `layer ${layer}`);
    }
  });
});
