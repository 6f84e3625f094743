/**
 * NumPy dtype descriptors we read: bool, integers and IEEE floats, either byte order. The
 * spellings are those NumPy 2's `descr_to_dtype` accepts for these types (pinned on 2,328 spellings
 * written by NumPy: test/fixtures/dtype-spellings); `=`, `|` and no prefix mean the machine's order,
 * little-endian on every machine the inspector runs on. `l`/`L` are 8 bytes as on Linux and macOS.
 */
import { parsePythonLiteral, PyValue } from './pythonLiteral';

export type NpyKind = 'b' | 'i' | 'u' | 'f';

export interface NpyType {
  kind: NpyKind;
  itemSize: 1 | 2 | 4 | 8;
  littleEndian: boolean;
  /** NumPy's `dtype.str`, e.g. `<f4`, `>i8`, `|b1`. */
  str: string;
}

/** One-letter type codes (`<f`, `d`, `B`, `?`; `n`/`N`, intp/uintp, are NumPy 2's). */
const CODES: Record<string, [NpyKind, 1 | 2 | 4 | 8]> = {
  '?': ['b', 1],
  b: ['i', 1], h: ['i', 2], i: ['i', 4], l: ['i', 8], q: ['i', 8], p: ['i', 8], n: ['i', 8],
  B: ['u', 1], H: ['u', 2], I: ['u', 4], L: ['u', 8], Q: ['u', 8], P: ['u', 8], N: ['u', 8],
  e: ['f', 2], f: ['f', 4], d: ['f', 8],
  // NumPy also takes a type *number* as a one-character string (NPY_BOOL = 0 … NPY_HALF = 23), in
  // 1.x and 2 alike: '\x0b' is float32. Those of the types read here:
  '\x00': ['b', 1], '\x01': ['i', 1], '\x02': ['u', 1], '\x03': ['i', 2], '\x04': ['u', 2], '\x05': ['i', 4], '\x06': ['u', 4],
  '\x07': ['i', 8], '\x08': ['u', 8], '\t': ['i', 8], '\n': ['u', 8], '\x0b': ['f', 4], '\x0c': ['f', 8], '\x17': ['f', 2],
};

/** Type names NumPy 2 accepts without a byte-order prefix (1.x also took bool8, int0, uint0, float_). */
const NAMES: Record<string, [NpyKind, 1 | 2 | 4 | 8]> = {
  bool: ['b', 1], bool_: ['b', 1],
  byte: ['i', 1], int8: ['i', 1], short: ['i', 2], int16: ['i', 2], intc: ['i', 4], int32: ['i', 4],
  int: ['i', 8], int_: ['i', 8], intp: ['i', 8], long: ['i', 8], longlong: ['i', 8], int64: ['i', 8],
  ubyte: ['u', 1], uint8: ['u', 1], ushort: ['u', 2], uint16: ['u', 2], uintc: ['u', 4], uint32: ['u', 4],
  uint: ['u', 8], uintp: ['u', 8], ulong: ['u', 8], ulonglong: ['u', 8], uint64: ['u', 8],
  half: ['f', 2], float16: ['f', 2], single: ['f', 4], float32: ['f', 4], double: ['f', 8], float: ['f', 8], float64: ['f', 8],
};

function typeOf(kind: NpyKind, itemSize: 1 | 2 | 4 | 8, littleEndian: boolean): NpyType {
  const order = itemSize === 1 ? '|' : littleEndian ? '<' : '>';
  return { kind, itemSize, littleEndian: itemSize === 1 || littleEndian, str: `${order}${kind}${itemSize}` };
}

const SIZED_KINDS: Record<string, NpyKind> = { b: 'b', i: 'i', u: 'u', f: 'f' };

function plainType(descr: string): NpyType | undefined {
  const named = Object.prototype.hasOwnProperty.call(NAMES, descr) ? NAMES[descr] : undefined;
  if (named) return typeOf(named[0], named[1], true);
  // A kind letter and a size, which NumPy reads with C's strtol: leading whitespace, an optional
  // '+' and leading zeros pass ('<f\t8', '<f+8', '<f08' are float64).
  const sized = /^([<>=|]?)([biuf])[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(descr);
  if (sized) {
    const kind = SIZED_KINDS[sized[2]];
    const size = Number(sized[3]);
    const valid = kind === 'b' ? size === 1 : kind === 'f' ? [2, 4, 8].includes(size) : [1, 2, 4, 8].includes(size);
    return valid ? typeOf(kind, size as 1 | 2 | 4 | 8, sized[1] !== '>') : undefined;
  }
  const match = /^([<>=|]?)([\s\S])$/.exec(descr);
  if (!match || !Object.prototype.hasOwnProperty.call(CODES, match[2])) return undefined;
  const [kind, size] = CODES[match[2]];
  return typeOf(kind, size, match[1] !== '>');
}

/** A descriptor: its element type and how many elements one item holds (a subarray, `(2,)f4`). */
export interface NpyDescr {
  type: NpyType;
  repeat: bigint;
}

/**
 * numpy's `_check_for_commastring`: which strings go through the comma-string grammar (a leading
 * repeat count, `()` or an order and `()` before more, or a comma). NumPy does not count commas
 * inside `[...]` (datetime units, `M8[ns]`); no type read here has brackets, so either path refuses them.
 */
function isCommaString(s: string): boolean {
  return /^(?:[<>=|]?[0-9]|\(\)|[<>=|]\(\)[\s\S])/.test(s) || s.includes(',');
}

// numpy/_core/_internal.py `_commastring`, for a single format (several make a structured type).
// Its `[...]` suffix (datetime units) is left out: no type read here has one.
const FORMAT = /([<>|=]?)( *[(]?[ ,0-9]*[)]? *)([<>|=]?)([A-Za-z0-9.?]*)/y;
/** Python's `\s` on str: JS's plus the separators \x1c-\x1f and \x85. */
const TRAILING_SPACE = /^[\s\x1c-\x1f\x85]+$/;

/** The repeat count of a subarray spec (`2`, `(2,)`, `2,`, `(2, 3)`, `()`), read as literal_eval does. */
function repeatOf(text: string): bigint | undefined {
  let value: PyValue;
  try {
    // A repeat spec holds no `L` and no line break, where the header filter would differ.
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: see above
    value = parsePythonLiteral(text, { dropLongSuffix: false });
  } catch {
    return undefined;
  }
  if (value.kind === 'int') return value.value;
  // The spec's characters (digits, commas, spaces, one pair of parentheses) make an int or a tuple of ints only.
  // Stryker disable next-line ConditionalExpression,LogicalOperator,ArrowFunction,MethodExpression,EqualityOperator,StringLiteral,BooleanLiteral: see above
  if (value.kind !== 'tuple' || value.items.some((x) => x.kind !== 'int')) return undefined;
  return value.items.reduce((a, x) => a * (x as { value: bigint }).value, 1n);
}

function commaString(s: string): NpyDescr | undefined {
  FORMAT.lastIndex = 0;
  const m = FORMAT.exec(s);
  // Every part of FORMAT is optional, so it always matches (maybe nothing; then the rest is not trailing space).
  // Stryker disable next-line ConditionalExpression: see above
  if (!m) return undefined;
  // Only trailing spaces may follow: a comma makes a list of fields, a structured type (NumPy 2;
  // NumPy 1.x read a single trailing-comma format as plain).
  if (FORMAT.lastIndex < s.length && !TRAILING_SPACE.test(s.slice(FORMAT.lastIndex))) return undefined;
  const [, order1, repeats, order2, code] = m;
  // _commastring: '=' is the native order ('<' here); '|' stays itself, so '|' and '<' conflict.
  const converted = (o: string) => (o === '=' ? '<' : o);
  if (order1 && order2 && converted(order1) !== converted(order2)) return undefined;
  const native = (o: string) => (o === '=' || o === '|' || o === '<' ? '' : o);
  const type = plainType(native(order1 || order2) + code);
  if (!type) return undefined;
  // `repeats` is never empty: a comma string starts with a count or `()`, or a comma in its repeat
  // spec (one elsewhere leaves more than trailing space, refused above).
  const repeat = repeatOf(repeats);
  // NumPy limits an item to a C int of bytes.
  if (repeat === undefined || repeat * BigInt(type.itemSize) > 0x7fffffffn) return undefined;
  return { type, repeat };
}

/**
 * What `numpy.dtype(descr)` makes of a descriptor string, when that is a bool, integer or float
 * type, possibly as a subarray (`(2,)f4` or `2f4`: NumPy then reads two floats per item and
 * the array has twice the elements); undefined for anything else.
 */
export function parseDescr(descr: string): NpyDescr | undefined {
  if (isCommaString(descr)) return commaString(descr);
  const type = plainType(descr);
  return type && { type, repeat: 1n };
}
