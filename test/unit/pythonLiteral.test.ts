/**
 * The .npy header's literal parser against Python's ast.literal_eval on 184 literals, 17 of them
 * first through NumPy's header filter (expected values written by
 * test/fixtures/python-literals/make.py): tuples with and without parentheses, sets,
 * dicts, signs and complex sums, every number spelling, string prefixes, escapes, implicit
 * concatenation, comments, continuations, nesting up to its limit and the errors Python raises.
 */
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parsePythonLiteral, PyLiteralError, PyValue } from '../../src/core/npy/pythonLiteral';

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
  const cases = JSON.parse(readFileSync(join(__dirname, '../fixtures/python-literals/expected.json'), 'utf8')) as Array<[string, unknown, boolean?]>;

  for (const [source, expected, dropLongSuffix = false] of cases) {
    it(`${dropLongSuffix ? '(header filter) ' : ''}${JSON.stringify(source)} -> ${expected === null ? 'refused' : (expected as { kind: string }).kind}`, () => {
      let got: unknown;
      try {
        got = summary(parsePythonLiteral(source, { dropLongSuffix }));
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
    assert.throws(() => parsePythonLiteral('L', { dropLongSuffix: true }), /malformed node or string: name L/);
  });
  it("says why a literal is refused, in Python's words where it has them", () => {
    const refusals: Array<[string, string]> = [
      ['3 + 4', 'malformed node or string'],
      ['1j+2', 'malformed node or string'],
      ["-'a'", 'malformed node or string'],
      ['foo', 'malformed node or string: name foo'],
      ["b'x' 'y'", 'cannot mix bytes and nonbytes literals'],
      ["'a' b'b'", 'cannot mix bytes and nonbytes literals'],
      ["'\\N{DASH}'", '\\N{...} escapes are not supported in .npy headers'],
      ["'\\x4'", 'truncated \\x escape'],
      ["'\\u12g4'", 'truncated \\u escape'],
      ["'\\U00110000'", 'illegal Unicode character'],
      ["b'\u00e9'", 'bytes can only contain ASCII literal characters'],
      ["'abc", 'unterminated string literal'],
      ["b'abc", 'unterminated string literal'],
      ['1\n 2', 'unexpected indent'],
      ["'a\nb'", 'unterminated string literal'],
      ["'a\rb'", 'unterminated string literal'],
      ["'ab\\", 'unterminated string literal'],
      ["'''abc", 'unterminated string literal'],
      ['(1,', 'EOF in multi-line statement'],
      ['((1)', 'EOF in multi-line statement'],
      ['1)', "unmatched ')'"],
      [']', "unmatched ']'"],
      ['}', "unmatched '}'"],
      ['[1 2]', "expected ','"],
      ['{1: 2, 3}', "expected ':'"],
      ['{1: 2 3}', "expected ','"],
      ["f'x'", "not a literal: f'"],
      ["rr'a'", "not a literal: rr'"],
      ['@', 'unexpected character "@"'],
      ['[,]', 'invalid syntax'],
      ['1,,', 'invalid syntax'],
      ['1 2', 'invalid syntax after the literal'],
      ['(1,) (2,)', 'invalid syntax after the literal'],
      ['1\n  ', 'unexpected indent'],
      ['1\r  ', 'unexpected indent'],
      ['  \f 1', 'unexpected indent'],
      ['#c\n 1', 'unexpected indent'],
      ['\\1', 'unexpected character after line continuation character'],
      ['1 \\', 'unexpected character after line continuation character'],
      ['1, \\\n', 'EOF in multi-line statement'],
      ['', 'unexpected EOF'],
      ['('.repeat(201) + ')'.repeat(201), 'too many nested parentheses'],
    ];
    for (const [source, message] of refusals) {
      assert.throws(() => parsePythonLiteral(source, { dropLongSuffix: false }), (e: unknown) => e instanceof PyLiteralError && e.message === message, JSON.stringify(source));
    }
    // Format 1.0/2.0 headers may end in spaces after the last line break (NumPy drops that line); not after a lone \r.
    assert.equal(parsePythonLiteral('1\n  ', { dropLongSuffix: true }).kind, 'int');
    assert.throws(() => parsePythonLiteral('1\r  ', { dropLongSuffix: true }), /unexpected indent/);
  });
});
