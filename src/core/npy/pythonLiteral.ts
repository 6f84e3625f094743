/**
 * The Python literals a `.npy` header may hold, parsed the way NumPy's `read_array` does:
 * `tokenize` with Python 2's `L` suffix dropped (format 1.0/2.0 only), then `ast.literal_eval`.
 * Only what can reach a valid header is modelled precisely; anything else is a syntax error,
 * as it is for Python (numbers keep only their kind, except ints, which are exact).
 */

export type PyValue =
  | { kind: 'int'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'str'; value: string }
  | { kind: 'bytes' }
  | { kind: 'float' }
  | { kind: 'complex' }
  | { kind: 'none' }
  | { kind: 'tuple'; items: PyValue[] }
  | { kind: 'list'; items: PyValue[] }
  | { kind: 'set'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] };

export class PyLiteralError extends Error {}

type Token =
  | { type: 'op'; text: string }
  | { type: 'number'; value: PyValue }
  | { type: 'string'; value: string; bytes: boolean }
  | { type: 'name'; text: string }
  | { type: 'newline' };

/** Python's tokenizer refuses a 201st level of open brackets. */
const MAX_NESTING = 200;
const NEWLINE = /\r\n|\r|\n/y;
const INDENT = /[ \t\f]*/y;
const COMMENT = /#[^\r\n]*/y;
// Python's number grammar (Lib/tokenize.py), tried in tokenize's order: imaginary, float, int.
const DIGITS = '[0-9](?:_?[0-9])*';
const EXPONENT = `[eE][-+]?${DIGITS}`;
const POINT_FLOAT = `(?:${DIGITS}\\.(?:${DIGITS})?|\\.${DIGITS})(?:${EXPONENT})?`;
const FLOAT = `(?:${POINT_FLOAT}|${DIGITS}${EXPONENT})`;
const IMAGINARY = new RegExp(`(?:${DIGITS}[jJ]|${FLOAT}[jJ])`, 'y');
const FLOAT_RE = new RegExp(FLOAT, 'y');
const INT_RE = /0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?0)*|[1-9](?:_?[0-9])*/y;
const IDENTIFIER = /[\p{L}\p{Nl}_\u1885\u1886\u2118\u212e\u309b\u309c][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_\u00b7\u0387\u1369-\u1371\u19da]*/uy;
const STRING_START = /([rRuUbBfF]{0,2})('''|"""|'|")/y;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function stickyMatch(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** Tokens of `source`; `dropLongSuffix` is NumPy's `_filter_header` (formats 1.0 and 2.0). */
function tokenize(source: string, dropLongSuffix: boolean): Token[] {
  if (source.includes('\0')) throw new PyLiteralError('source code string cannot contain null bytes');
  // A last line of only spaces after the final line break is an indented empty line to Python's
  // parser. NumPy's header filter (formats 1.0/2.0) re-tokenizes by '\n' lines and drops it there.
  const tail = /(\r\n|\r|\n)[ \t\f]+$/.exec(source);
  if (tail && (!dropLongSuffix || tail[1] === '\r')) throw new PyLiteralError('unexpected indent');
  const tokens: Token[] = [];
  let at = 0;
  // literal_eval strips leading spaces and tabs before parsing.
  while (source[at] === ' ' || source[at] === '\t') at++;
  let depth = 0;
  // At the start of a logical line, which only begins outside brackets.
  let lineStart = true;
  // _filter_header drops a name `L` right after a number; a dropped `L` leaves this set ('1L L' is 1).
  let lastWasNumber = false;
  const push = (token: Token) => {
    tokens.push(token);
    lastWasNumber = token.type === 'number';
  };
  while (at < source.length) {
    if (lineStart) {
      // Only blank lines and comment lines may be indented; a form feed sets the column back to 0.
      const indent = stickyMatch(INDENT, source, at)!;
      at += indent.length;
      at += stickyMatch(COMMENT, source, at)?.length ?? 0;
      const newline = stickyMatch(NEWLINE, source, at);
      if (newline) {
        at += newline.length;
        continue;
      }
      if (at >= source.length) break;
      if (indent.length > indent.lastIndexOf('\f') + 1) throw new PyLiteralError('unexpected indent');
      lineStart = false;
    }
    const ch = source[at];
    if (ch === ' ' || ch === '\t' || ch === '\f') {
      at++;
      continue;
    }
    // A comment runs to the line's end, whose newline (or the end) follows.
    const comment = stickyMatch(COMMENT, source, at);
    if (comment) {
      at += comment.length;
      continue;
    }
    const newline = stickyMatch(NEWLINE, source, at);
    if (newline) {
      at += newline.length;
      lastWasNumber = false;
      if (depth === 0) {
        // A statement ends (a second one is a syntax error in literal_eval); a line joined by a
        // backslash before the first token ends none.
        if (tokens.length) tokens.push({ type: 'newline' });
        lineStart = true;
      }
      continue;
    }
    if (ch === '\\') {
      const joined = stickyMatch(NEWLINE, source, at + 1);
      if (!joined) throw new PyLiteralError('unexpected character after line continuation character');
      at += 1 + joined.length;
      if (at >= source.length) throw new PyLiteralError('EOF in multi-line statement');
      continue;
    }
    const string = stickyMatch(STRING_START, source, at);
    if (string) {
      at = readString(source, at, push);
      continue;
    }
    const number = /[0-9.]/.test(ch) ? numberAt(source, at) : undefined;
    if (number) {
      at += number.length;
      push({ type: 'number', value: number.value });
      continue;
    }
    const name = stickyMatch(IDENTIFIER, source, at);
    if (name) {
      at += name.length;
      if (!(dropLongSuffix && lastWasNumber && name === 'L')) push({ type: 'name', text: name });
      continue;
    }
    if ('{}()[],:+-'.includes(ch)) {
      if ('{(['.includes(ch)) {
        // Python's tokenizer (MAXLEVEL); it also keeps the recursive parser below off the stack limit.
        if (depth >= MAX_NESTING) throw new PyLiteralError('too many nested parentheses');
        depth++;
      } else if ('})]'.includes(ch) && --depth < 0) throw new PyLiteralError(`unmatched '${ch}'`);
      at++;
      push({ type: 'op', text: ch });
      continue;
    }
    throw new PyLiteralError(`unexpected character ${JSON.stringify(ch)}`);
  }
  if (depth > 0) throw new PyLiteralError('EOF in multi-line statement');
  return tokens;
}

/** The number at `at`, in tokenize's order: imaginary, float, int (ints exact; BigInt reads 0x, 0o, 0b). */
function numberAt(source: string, at: number): { length: number; value: PyValue } | undefined {
  const imaginary = stickyMatch(IMAGINARY, source, at);
  if (imaginary) return { length: imaginary.length, value: { kind: 'complex' } };
  const float = stickyMatch(FLOAT_RE, source, at);
  if (float) return { length: float.length, value: { kind: 'float' } };
  const int = stickyMatch(INT_RE, source, at);
  if (!int) return undefined;
  return { length: int.length, value: { kind: 'int', value: BigInt(int.replace(/_/g, '')) } };
}

/** Reads one string literal at `at`, pushes its token, returns the index after it. */
function readString(source: string, at: number, push: (token: Token) => void): number {
  STRING_START.lastIndex = at;
  const [whole, prefix, quote] = STRING_START.exec(source)!;
  const flags = prefix.toLowerCase();
  if (!['', 'r', 'u', 'b', 'br', 'rb'].includes(flags)) {
    // f-strings are not literals; other letter runs are names followed by a string.
    throw new PyLiteralError(`not a literal: ${prefix}${quote}`);
  }
  const raw = flags.includes('r');
  const bytes = flags.includes('b');
  let k = at + whole.length;
  let value = '';
  for (;;) {
    if (k >= source.length) throw new PyLiteralError('unterminated string literal');
    if (source.startsWith(quote, k)) {
      k += quote.length;
      break;
    }
    const ch = source[k];
    if (bytes && ch.charCodeAt(0) > 0x7f) throw new PyLiteralError('bytes can only contain ASCII literal characters');
    if (quote.length === 1 && (ch === '\n' || ch === '\r')) throw new PyLiteralError('unterminated string literal');
    if (ch !== '\\') {
      value += ch;
      k++;
      continue;
    }
    // Without this check the escape would run past the end and the loop's first check refuse it the same way.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: see above
    if (k + 1 >= source.length) throw new PyLiteralError('unterminated string literal');
    if (raw) {
      // A raw string keeps the backslash; it only stops the next character from ending the string.
      value += source.slice(k, k + 2);
      k += 2;
      continue;
    }
    const [text, length] = escape(source, k, bytes);
    value += text;
    k += length;
  }
  push({ type: 'string', value, bytes });
  return k;
}

/** One escape sequence at `k` (which holds the backslash): its text and its length. */
function escape(source: string, k: number, bytes: boolean): [string, number] {
  const next = source[k + 1];
  const newline = stickyMatch(NEWLINE, source, k + 1);
  if (newline) return ['', 1 + newline.length];
  if (next in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[next], 2];
  const octal = /[0-7]{1,3}/y;
  octal.lastIndex = k + 1;
  const digits = octal.exec(source)?.[0];
  if (digits) return [String.fromCodePoint(parseInt(digits, 8)), 1 + digits.length];
  const hexLength = next === 'x' ? 2 : !bytes && next === 'u' ? 4 : !bytes && next === 'U' ? 8 : 0;
  if (hexLength) {
    const hex = source.slice(k + 2, k + 2 + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) throw new PyLiteralError(`truncated \\${next} escape`);
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) throw new PyLiteralError('illegal Unicode character');
    return [String.fromCodePoint(code), 2 + hexLength];
  }
  // \N{name} needs Unicode's name table; no header needs it.
  if (!bytes && next === 'N') throw new PyLiteralError('\\N{...} escapes are not supported in .npy headers');
  return ['\\' + next, 2];
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): PyValue {
    let value = this.expression();
    // A bare tuple: `2,` or `1, 2`.
    if (this.isOp(',')) {
      this.at++;
      const items = [value];
      for (let next = this.peek(); next && next.type !== 'newline'; next = this.peek()) {
        items.push(this.expression());
        if (!this.isOp(',')) break;
        this.at++;
      }
      value = { kind: 'tuple', items };
    }
    while (this.peek()?.type === 'newline') this.at++;
    if (this.at < this.tokens.length) throw new PyLiteralError('invalid syntax after the literal');
    return value;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isOp(text: string): boolean {
    const token = this.peek();
    return token?.type === 'op' && token.text === text;
  }

  private expect(text: string): void {
    if (!this.isOp(text)) throw new PyLiteralError(`expected '${text}'`);
    this.at++;
  }

  /** literal_eval's numbers: one optional sign on a number, and `a ± bj` complex sums. */
  private expression(): PyValue {
    const left = this.signed();
    if (this.isOp('+') || this.isOp('-')) {
      this.at++;
      const right = this.atom();
      // literal_eval: an int or float plus or minus an imaginary number ('1j+2j' is refused).
      if ((left.kind !== 'int' && left.kind !== 'float') || right.kind !== 'complex') throw new PyLiteralError('malformed node or string');
      return { kind: 'complex' };
    }
    return left;
  }

  private signed(): PyValue {
    if (!this.isOp('+') && !this.isOp('-')) return this.atom();
    const negative = this.isOp('-');
    this.at++;
    const operand = this.atom();
    if (operand.kind === 'int') return { kind: 'int', value: negative ? -operand.value : operand.value };
    if (operand.kind === 'float' || operand.kind === 'complex') return operand;
    throw new PyLiteralError('malformed node or string');
  }

  private atom(): PyValue {
    const token = this.peek();
    if (!token) throw new PyLiteralError('unexpected EOF');
    this.at++;
    switch (token.type) {
      case 'number':
        return token.value;
      case 'string':
        return this.strings(token);
      case 'name':
        if (token.text === 'True' || token.text === 'False') return { kind: 'bool', value: token.text === 'True' };
        if (token.text === 'None') return { kind: 'none' };
        throw new PyLiteralError(`malformed node or string: name ${token.text}`);
      case 'op':
        if (token.text === '(') return this.parenthesized();
        if (token.text === '[') return { kind: 'list', items: this.sequence(']') };
        if (token.text === '{') return this.braced();
    }
    throw new PyLiteralError('invalid syntax');
  }

  /** Adjacent string literals concatenate; str and bytes do not mix. */
  private strings(first: Token & { type: 'string' }): PyValue {
    let value = first.value;
    for (let next = this.peek(); next?.type === 'string'; next = this.peek()) {
      if (next.bytes !== first.bytes) throw new PyLiteralError('cannot mix bytes and nonbytes literals');
      value += next.value;
      this.at++;
    }
    return first.bytes ? { kind: 'bytes' } : { kind: 'str', value };
  }

  private parenthesized(): PyValue {
    if (this.isOp(')')) {
      this.at++;
      return { kind: 'tuple', items: [] };
    }
    const first = this.expression();
    if (this.isOp(')')) {
      this.at++;
      return first;
    }
    this.expect(',');
    const items = [first, ...this.sequence(')')];
    return { kind: 'tuple', items };
  }

  /** Comma-separated expressions up to `close`, a trailing comma allowed. */
  private sequence(close: string): PyValue[] {
    const items: PyValue[] = [];
    while (!this.isOp(close)) {
      items.push(this.expression());
      if (this.isOp(close)) break;
      this.expect(',');
    }
    this.at++;
    return items;
  }

  private braced(): PyValue {
    if (this.isOp('}')) {
      this.at++;
      return { kind: 'dict', entries: [] };
    }
    const first = this.expression();
    if (!this.isOp(':')) {
      if (this.isOp('}')) {
        this.at++;
        return { kind: 'set', items: [first] };
      }
      this.expect(',');
      return { kind: 'set', items: [first, ...this.sequence('}')] };
    }
    const entries: [PyValue, PyValue][] = [];
    let key = first;
    for (;;) {
      this.expect(':');
      entries.push([key, this.expression()]);
      if (this.isOp('}')) break;
      this.expect(',');
      if (this.isOp('}')) break;
      key = this.expression();
    }
    this.at++;
    return { kind: 'dict', entries };
  }
}

/** `ast.literal_eval(header)` after NumPy's header filter; throws PyLiteralError where Python raises. */
export function parsePythonLiteral(source: string, options: { dropLongSuffix: boolean }): PyValue {
  return new Parser(tokenize(source, options.dropLongSuffix)).parseAll();
}
