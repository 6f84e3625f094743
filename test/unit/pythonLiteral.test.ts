/**
 * The .npy header's literal parser against Python's ast.literal_eval on 69 literals (expected values
 * written by test/fixtures/python-literals/make.py): tuples with and without parentheses, sets,
 * dicts, signs and complex sums, every number spelling, string prefixes, escapes, implicit
 * concatenation, comments, continuations, nesting up to its limit and the errors Python raises.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parsePythonLiteral, PyValue } from '../../src/core/npy/pythonLiteral';

const summary = (v: PyValue): unknown => {
  switch (v.kind) {
    case 'int':
      return { kind: 'int', value: v.value.toString() };
    case 'bool':
    case 'str':
      return { kind: v.kind, value: v.value };
    case 'tuple':
    case 'list':
      return { kind: v.kind, items: v.items.map(summary) };
    case 'set':
      return { kind: 'set', n: v.items.length };
    case 'dict':
      return { kind: 'dict', entries: v.entries.map(([k, x]) => [summary(k), summary(x)]) };
    default:
      return { kind: v.kind };
  }
};

describe('Python literals in .npy headers', () => {
  const cases = JSON.parse(readFileSync(join(__dirname, '../fixtures/python-literals/expected.json'), 'utf8')) as Array<[string, unknown]>;

  for (const [source, expected] of cases) {
    it(`${JSON.stringify(source)} -> ${expected === null ? 'refused' : (expected as { kind: string }).kind}`, () => {
      let got: unknown;
      try {
        got = summary(parsePythonLiteral(source, { dropLongSuffix: false }));
      } catch {
        got = null;
      }
      assert.deepEqual(got, expected);
    });
  }

  it("Python 2's L suffix: dropped after a number in format 1.0/2.0 headers, an error otherwise", () => {
    assert.deepEqual(summary(parsePythonLiteral('(3L, 4L)', { dropLongSuffix: true })), { kind: 'tuple', items: [{ kind: 'int', value: '3' }, { kind: 'int', value: '4' }] });
    assert.throws(() => parsePythonLiteral('(3L,)', { dropLongSuffix: false }));
    assert.throws(() => parsePythonLiteral('(L,)', { dropLongSuffix: true }), /malformed node or string: name L/);
  });
});
