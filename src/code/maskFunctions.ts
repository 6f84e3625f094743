/**
 * Python functions that build a mask for a sequence length (`def fixed_mask(n, l=8, c=2): ...`),
 * found with a real parser so that comments, strings and nested defs do not fool it. The editor
 * offers "Check against pattern…" above each: it calls the function with the pattern's values for
 * the parameters it recognises (the registry's Python keywords) and diffs what it returns.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import type { PatternConfig } from '../core/config';
import { N } from '../core/patterns/params';
import { patternSpec } from '../core/patterns/registry';
import { LineIndex, SourceRange } from './positions';


export type PythonDefault = number | boolean | string | null;

export interface MaskParameter {
  name: string;
  /** Its default when it is a plain literal (a number, True/False, a string, None). */
  default?: PythonDefault;
  /** A default that is not a literal (the function supplies it; we cannot read it). */
  hasDefault: boolean;
  /** `*args` / `**kwargs`, never filled. */
  variadic: boolean;
}

export interface MaskFunction {
  name: string;
  /** The `def name` line, 0-based, like vscode.Range. */
  range: SourceRange;
  params: MaskParameter[];
}

/** Names that say a function builds a mask or layout; other functions taking n get no lens. */
const MASK_NAME = /mask|layout|pattern/i;

/**
 * Module-level functions named like a mask builder, taking the sequence length (a parameter the
 * registry spells n: seq_len, n_ctx, max_seq_len, n, …) and returning a value.
 */
export function findMaskFunctions(text: string): MaskFunction[] {
  const tree = parser.parse(text);
  const lines = new LineIndex(text);
  const found: MaskFunction[] = [];
  for (let node = tree.topNode.firstChild; node; node = node.nextSibling) {
    const def = node.name === 'DecoratedStatement' ? node.getChild('FunctionDefinition') : node.name === 'FunctionDefinition' ? node : null;
    if (!def) continue;
    const nameNode = def.getChild('VariableName');
    const paramList = def.getChild('ParamList');
    const body = def.getChild('Body');
    if (!nameNode || !paramList || !body) continue;
    const name = text.slice(nameNode.from, nameNode.to);
    const params = parameters(paramList, text);
    if (!MASK_NAME.test(name) || !params.some((p) => N.python.includes(p.name)) || !returnsValue(body)) continue;
    found.push({ name, range: lines.range(def.from, nameNode.to), params });
  }
  return found;
}

export interface MaskCall {
  /** Keyword arguments to call the function with. */
  kwargs: Record<string, number | boolean | string>;
  /** Which config key each filled parameter came from, for the report ("seq_len = n = 64"). */
  filled: Array<{ param: string; key: string }>;
}

/**
 * The keyword arguments for `config`: every parameter the preset's spec knows by one of its Python
 * keywords gets the config's value. A parameter without a default that nothing fills is an error
 * naming it (the function could not be called).
 */
export function maskCallFor(fn: MaskFunction, config: PatternConfig): MaskCall {
  const values = config as unknown as Record<string, unknown>;
  const kwargs: MaskCall['kwargs'] = {};
  const filled: MaskCall['filled'] = [];
  for (const param of fn.params) {
    if (param.variadic) continue;
    const spec = patternSpec(config.pattern).params.find((p) => p.python.includes(param.name));
    const value = spec ? values[spec.key] : undefined;
    if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
      kwargs[param.name] = value;
      filled.push({ param: param.name, key: spec!.key });
    } else if (!param.hasDefault) {
      throw new Error(`${fn.name}(…) needs "${param.name}", which ${config.pattern} has no value for: give it a default, or name it like one of ${config.pattern}'s parameters`);
    }
  }
  return { kwargs, filled };
}

/**
 * `base` with the function's own literal defaults for the parameters the preset knows (so that
 * `def lra_mask(seq_len=64, l=8, c=2)` is checked at n 64, l 8, c 2 unless the user says otherwise).
 */
export function configFromDefaults(fn: MaskFunction, base: PatternConfig): PatternConfig {
  const next = { ...base } as unknown as Record<string, unknown>;
  for (const param of fn.params) {
    const spec = patternSpec(base.pattern).params.find((p) => p.python.includes(param.name));
    if (!spec || param.default === undefined) continue;
    const ok = spec.kind === 'integer' ? Number.isInteger(param.default) : spec.kind === 'boolean' ? typeof param.default === 'boolean' : spec.kind === 'choice' ? spec.options!.includes(String(param.default)) : false;
    if (ok) next[spec.key] = param.default;
  }
  return next as unknown as PatternConfig;
}

function parameters(list: SyntaxNode, text: string): MaskParameter[] {
  const params: MaskParameter[] = [];
  let star = false;
  for (let child = list.firstChild; child; child = child.nextSibling) {
    const token = text.slice(child.from, child.to);
    if (child.name === '*' || token === '*' || token === '**') {
      star = true;
      continue;
    }
    if (child.name === ',') {
      star = false;
      continue;
    }
    if (child.name === 'VariableName') {
      params.push({ name: token, hasDefault: false, variadic: star });
      continue;
    }
    if (child.name === 'AssignOp') {
      const value = child.nextSibling;
      const last = params[params.length - 1];
      if (!last || !value) continue;
      last.hasDefault = true;
      const literal = literalOf(value, text);
      if (literal !== undefined) last.default = literal;
    }
  }
  return params;
}

function literalOf(node: SyntaxNode, text: string): PythonDefault | undefined {
  const source = text.slice(node.from, node.to);
  if (node.name === 'Number' && /^\d+$/.test(source)) return Number(source);
  if (node.name === 'UnaryExpression' && /^-\s*\d+$/.test(source)) return -Number(source.replace(/[-\s]/g, ''));
  if (node.name === 'Boolean') return source === 'True';
  if (node.name === 'None') return null;
  if (node.name === 'String' && /^(['"])[^'"\\]*\1$/.test(source)) return source.slice(1, -1);
  return undefined;
}

/** A `return value` in the body itself (not in a nested def or class). */
function returnsValue(body: SyntaxNode): boolean {
  const cursor = body.cursor();
  let found = false;
  const enter = (): boolean => {
    if (cursor.name === 'FunctionDefinition' || cursor.name === 'ClassDefinition' || cursor.name === 'LambdaExpression') return false;
    if (cursor.name === 'ReturnStatement' && cursor.node.childAfter(cursor.node.firstChild!.to)) found = true;
    return !found;
  };
  cursor.iterate(enter);
  return found;
}
