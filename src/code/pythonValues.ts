/**
 * The values of Python expressions a config is written with: literals (ints, strings, True/False/
 * None, lists and tuples), integer arithmetic, and names resolved through assignments and
 * parameter defaults. Anything else (attributes, calls, floats, f-strings) is unknown: undefined.
 */
import type { SyntaxNode } from '@lezer/common';
import { Binding, commaGroups, lookup, Scope } from './pythonScopes';

export type PyValue = number | string | boolean | null | PyValue[];

/** A value and the expression that gave it (the literal a name resolved to, or the argument itself). */
export interface Resolved {
  value: PyValue;
  from: number;
  to: number;
}

/** What evaluation needs besides the node: the text, and whether bare true/false/null are JSON's literals. */
export interface SourceText {
  text: string;
  json?: boolean;
}

/** Names chained through names (A = B, B = 16) deeper than this are given up (and cycles end). */
const MAX_DEPTH = 16;

const JSON_LITERALS: Record<string, PyValue> = { true: true, false: false, null: null };

export function evaluate(src: SourceText, node: SyntaxNode, scope: Scope | undefined, depth = 0): Resolved | undefined {
  const text = src.text.slice(node.from, node.to);
  const here = (value: PyValue | undefined): Resolved | undefined => (value === undefined ? undefined : { value, from: node.from, to: node.to });
  switch (node.name) {
    case 'Number':
      return here(pythonInt(text));
    case 'String':
      return here(pythonString(text));
    case 'ContinuedString': {
      const parts = children(node).map((c) => (c.name === 'String' ? pythonString(src.text.slice(c.from, c.to)) : undefined));
      return parts.every((p) => p !== undefined) ? here(parts.join('')) : undefined;
    }
    case 'Boolean':
      return here(text === 'True');
    case 'None':
      return here(null);
    case 'ParenthesizedExpression': {
      const inner = children(node).filter((c) => c.name !== '(' && c.name !== ')');
      return inner.length === 1 ? evaluate(src, inner[0], scope, depth) : undefined;
    }
    case 'UnaryExpression': {
      const [op, operand] = children(node);
      const value = operand && evaluate(src, operand, scope, depth)?.value;
      if (typeof value !== 'number' || !op) return undefined;
      const sign = src.text.slice(op.from, op.to);
      return here(sign === '-' ? -value : sign === '+' ? value : undefined);
    }
    case 'BinaryExpression': {
      const [left, op, right] = children(node);
      const a = left && evaluate(src, left, scope, depth)?.value;
      const b = right && evaluate(src, right, scope, depth)?.value;
      if (typeof a !== 'number' || typeof b !== 'number' || !op) return undefined;
      return here(integerArithmetic(src.text.slice(op.from, op.to), a, b));
    }
    case 'ArrayExpression':
    case 'TupleExpression': {
      const items: PyValue[] = [];
      for (const group of commaGroups(node)) {
        const value = group.length === 1 ? evaluate(src, group[0], scope, depth)?.value : undefined;
        if (value === undefined) return undefined;
        items.push(value);
      }
      return here(items);
    }
    case 'VariableName': {
      if (src.json) return here(JSON_LITERALS[text]);
      const binding = scope && depth < MAX_DEPTH ? lookup(text, scope, node.from) : undefined;
      return binding?.value ? evaluate(src, binding.value, binding.scope, depth + 1) : undefined;
    }
    default:
      return undefined;
  }
}

export function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name !== 'Comment') list.push(child);
  return list;
}

/** A Python int literal (underscores, 0x/0o/0b); floats and complex numbers are not config values. */
export function pythonInt(text: string): number | undefined {
  const digits = text.replace(/_/g, '');
  const value = /^0[xX][0-9a-fA-F]+$|^0[oO][0-7]+$|^0[bB][01]+$/.test(digits)
    ? Number(digits.slice(0, 2).toLowerCase() + digits.slice(2))
    : /^(0+|[1-9]\d*)$/.test(digits)
      ? Number(digits)
      : undefined;
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** A str literal's value (raw or not); bytes and f-strings are not config values. */
export function pythonString(text: string): string | undefined {
  const prefix = /^[a-zA-Z]*/.exec(text)![0].toLowerCase();
  if (prefix.includes('b') || prefix.includes('f')) return undefined;
  const body = text.slice(prefix.length);
  const quote = body.startsWith('"""') || body.startsWith("'''") ? body.slice(0, 3) : body[0];
  if (!quote || !body.endsWith(quote) || body.length < 2 * quote.length) return undefined;
  const inner = body.slice(quote.length, body.length - quote.length);
  if (prefix.includes('r')) return inner;
  return inner.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\s\S])/g, (whole, esc: string) =>
    esc.length > 1 ? String.fromCharCode(parseInt(esc.slice(1), 16)) : (ESCAPES[esc] ?? whole),
  );
}

/** Python's integer operators; `/` gives a float in Python, so it is not evaluated. */
function integerArithmetic(op: string, a: number, b: number): number | undefined {
  if (!Number.isInteger(a) || !Number.isInteger(b)) return undefined;
  let value: number | undefined;
  if (op === '+') value = a + b;
  else if (op === '-') value = a - b;
  else if (op === '*') value = a * b;
  else if (op === '//' && b !== 0) value = Math.floor(a / b);
  else if (op === '%' && b !== 0) value = a - b * Math.floor(a / b);
  else if (op === '**' && b >= 0) value = a ** b;
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

/** One `name: value` a config reads: a keyword argument, a positional one by its parameter's name, or a dict entry. */
export interface Argument {
  name: string;
  /** The whole argument or entry (`block=16`, `"block": 16`): where its problems are shown. */
  from: number;
  to: number;
  value: SyntaxNode;
  scope: Scope | undefined;
}

/** Arguments by name; opaque when some could not be read (`**kwargs` from a caller, `*args`, a computed key). */
export interface Arguments {
  byName: Map<string, Argument>;
  opaque: boolean;
}

/** The last name of a callee: `FixedSparsityConfig` for `ds.sparse_attention.FixedSparsityConfig(...)`. */
export function calleeName(src: SourceText, call: SyntaxNode): string | undefined {
  const callee = call.firstChild;
  if (callee?.name === 'VariableName') return src.text.slice(callee.from, callee.to);
  if (callee?.name === 'MemberExpression' && callee.lastChild?.name === 'PropertyName') return src.text.slice(callee.lastChild.from, callee.lastChild.to);
  return undefined;
}

/**
 * A call's arguments by name: keywords, `**mapping` entries, and positional arguments named by
 * `signature` (the callee's parameters in order; without one, positional arguments are skipped).
 */
export function callArguments(src: SourceText, call: SyntaxNode, scope: Scope, signature: readonly string[] = []): Arguments {
  const args: Arguments = { byName: new Map(), opaque: false };
  const list = call.getChild('ArgList');
  if (!list) return args;
  let position = 0;
  for (const group of commaGroups(list)) {
    const [first, second, third] = group;
    if (group.length === 3 && first.name === 'VariableName' && second.name === 'AssignOp') {
      args.byName.set(src.text.slice(first.from, first.to), { name: src.text.slice(first.from, first.to), from: first.from, to: third.to, value: third, scope });
    } else if (group.length === 2 && first.name === '**') {
      spreadInto(args, mappingOf(src, second, scope));
    } else if (group.length === 1 && first.name !== '⚠') {
      const name = signature[position++];
      if (name !== undefined && !args.byName.has(name)) args.byName.set(name, { name, from: first.from, to: first.to, value: first, scope });
    } else {
      args.opaque = true; // *args, a generator argument, or a syntax error: later positions are unknown
      position = Infinity;
    }
  }
  return args;
}

function spreadInto(args: Arguments, mapping: Arguments | undefined): void {
  if (!mapping) {
    args.opaque = true;
    return;
  }
  for (const [name, entry] of mapping.byName) args.byName.set(name, entry);
  if (mapping.opaque) args.opaque = true;
}

/**
 * The entries of a mapping expression: a dict literal with string keys, `dict(key=value)`, or a
 * name bound to one of them; undefined when it is none of these.
 */
export function mappingOf(src: SourceText, node: SyntaxNode, scope: Scope | undefined, depth = 0): Arguments | undefined {
  if (depth > MAX_DEPTH) return undefined;
  if (node.name === 'ParenthesizedExpression') {
    const inner = children(node).filter((c) => c.name !== '(' && c.name !== ')');
    return inner.length === 1 ? mappingOf(src, inner[0], scope, depth + 1) : undefined;
  }
  if (node.name === 'VariableName' && !src.json) {
    const binding: Binding | undefined = scope && lookup(src.text.slice(node.from, node.to), scope, node.from);
    return binding?.value ? mappingOf(src, binding.value, binding.scope, depth + 1) : undefined;
  }
  if (node.name === 'CallExpression' && !src.json && calleeName(src, node) === 'dict' && node.firstChild?.name === 'VariableName' && scope) {
    const args = callArguments(src, node, scope);
    // dict(other) copies another mapping: its one positional argument.
    const positional = commaGroups(node.getChild('ArgList')!).filter((g) => g.length === 1);
    if (positional.length === 1) {
      const copied = mappingOf(src, positional[0][0], scope, depth + 1);
      if (!copied) return { byName: args.byName, opaque: true };
      return { byName: new Map([...copied.byName, ...args.byName]), opaque: copied.opaque || args.opaque };
    }
    return args;
  }
  if (node.name !== 'DictionaryExpression') return undefined;
  const entries: Arguments = { byName: new Map(), opaque: false };
  for (const group of commaGroups(node)) {
    if (group.length === 3 && group[1].name === ':') {
      const key = evaluate(src, group[0], scope, depth + 1)?.value;
      if (typeof key === 'string') entries.byName.set(key, { name: key, from: group[0].from, to: group[2].to, value: group[2], scope });
      else entries.opaque = true;
    } else if (group.length === 2 && group[0].name === '**') {
      spreadInto(entries, mappingOf(src, group[1], scope, depth + 1));
    } else entries.opaque = true; // a comprehension, or a syntax error
  }
  return entries;
}
