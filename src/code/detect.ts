/**
 * Configs in Python source and DeepSpeed JSON: each call or dict literal that builds one of the
 * registry's presets, found on a real syntax tree (@lezer/python), so comments, strings,
 * docstrings and multi-line calls cannot fool it.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@lezer/python';
import { patternSpec } from '../core';
import { ATTN_MODE_SHAPE, CALL_SHAPES, CallShape, CLASS_FIELDS_SHAPE, DS_CONFIG_DEFAULT_MODE, DS_CONFIG_KEY, DS_CONFIG_MODES, DS_CONFIG_SOURCE, KEYWORDS_SHAPE } from './callShapes';
import { ConfigFinding, makeFinding } from './finding';
import { LineIndex } from './positions';
import { indexModule, Scope } from './pythonScopes';
import { Argument, Arguments, callArguments, calleeName, evaluate, mappingOf, SourceText } from './pythonValues';

/** Every config found in a Python file, in the order they appear. */
export function findConfigsInPython(text: string): ConfigFinding[] {
  const src: SourceText = { text };
  const lines = new LineIndex(text);
  const index = indexModule(parser.parse(text), text);
  const findings: ConfigFinding[] = [];
  for (const call of index.calls) {
    const finding = callFinding(src, lines, call.node, call.scope) ?? dsConfigFinding(src, lines, call);
    if (finding) findings.push(finding);
  }
  for (const dict of index.dicts) {
    const finding = dsConfigFinding(src, lines, dict);
    if (finding) findings.push(finding);
  }
  for (const { node, scope } of index.classes) {
    const fields = classFields(scope);
    // The class ends where its last statement does, not after the blank lines its body takes in.
    let end = node.to;
    while (end > node.from && /\s/.test(text[end - 1])) end--;
    if (spellsStrideAndSummary(fields)) findings.push(makeFinding(src, lines, CLASS_FIELDS_SHAPE, node.from, end, fields));
  }
  return findings.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/**
 * DeepSpeed's `"sparse_attention": {...}` in a JSON file (ds_config*.json). A JSON document is a
 * Python expression but for true, false and null, which are read here as JSON's literals.
 */
export function findConfigsInJson(text: string): ConfigFinding[] {
  const src: SourceText = { text, json: true };
  const lines = new LineIndex(text);
  const findings: ConfigFinding[] = [];
  parser.parse(text).iterate({
    enter(ref) {
      if (ref.name !== 'DictionaryExpression') return;
      const finding = dsConfigFinding(src, lines, { node: ref.node, scope: undefined });
      if (finding) findings.push(finding);
    },
  });
  return findings;
}

function callFinding(src: SourceText, lines: LineIndex, call: SyntaxNode, scope: Scope): ConfigFinding | undefined {
  const name = calleeName(src, call);
  const known = name !== undefined ? CALL_SHAPES[name] : undefined;
  if (known) {
    const args = callArguments(src, call, scope, known.signature.names);
    return satisfies(src, known, args) ? makeFinding(src, lines, known, call.from, call.to, args) : undefined;
  }
  const args = callArguments(src, call, scope);
  if (args.byName.has(ATTN_MODE_SHAPE.requires!.name)) {
    return satisfies(src, ATTN_MODE_SHAPE, args) ? makeFinding(src, lines, ATTN_MODE_SHAPE, call.from, call.to, args) : undefined;
  }
  return spellsStrideAndSummary(args) ? makeFinding(src, lines, KEYWORDS_SHAPE, call.from, call.to, args) : undefined;
}

function satisfies(src: SourceText, shape: CallShape, args: Arguments): boolean {
  if (!shape.requires) return true;
  const argument = args.byName.get(shape.requires.name);
  return argument !== undefined && evaluate(src, argument.value, argument.scope)?.value === shape.requires.value;
}

/** The fixed preset's stride and summary keywords, from the registry (stride/l/…, c/summary/…). */
const FIXED_PARAMS = patternSpec(KEYWORDS_SHAPE.preset).params;
const STRIDE_KEYWORDS = FIXED_PARAMS.find((p) => p.key === 'stride')!.python;
const SUMMARY_KEYWORDS = FIXED_PARAMS.find((p) => p.key === 'c')!.python;

/** Both l and c spelled: `nn.Conv2d(3, 8, stride=2)` has a stride and is no attention config. */
function spellsStrideAndSummary(args: Arguments): boolean {
  return STRIDE_KEYWORDS.some((k) => args.byName.has(k)) && SUMMARY_KEYWORDS.some((k) => args.byName.has(k));
}

/** A class body's fields with values (`stride: int = 32`), read like keywords. */
function classFields(scope: Scope): Arguments {
  const byName = new Map<string, Argument>();
  for (const [name, bindings] of scope.names) {
    const last = bindings[bindings.length - 1];
    if (last.value) byName.set(name, { name, from: last.from, to: last.value.to, value: last.value, scope });
  }
  return { byName, opaque: false };
}

/** A mapping (dict literal, or dict(...) call) with a "sparse_attention" entry holding a mapping. */
function dsConfigFinding(src: SourceText, lines: LineIndex, { node, scope }: { node: SyntaxNode; scope: Scope | undefined }): ConfigFinding | undefined {
  if (node.name !== 'DictionaryExpression' && !(node.name === 'CallExpression' && calleeName(src, node) === 'dict')) return undefined;
  const outer = mappingOf(src, node, scope);
  const entry = outer?.byName.get(DS_CONFIG_KEY);
  // Only the dict that spells the key itself: a dict merged into another (**base) is found once, where it is written.
  if (!entry || entry.from < node.from || entry.to > node.to) return undefined;
  const sparsity = mappingOf(src, entry.value, entry.scope);
  if (!sparsity) return undefined;
  const modeArgument = sparsity.byName.get('mode');
  const mode = modeArgument ? evaluate(src, modeArgument.value, modeArgument.scope)?.value : DS_CONFIG_DEFAULT_MODE;
  const shape = typeof mode === 'string' ? DS_CONFIG_MODES[mode] : undefined;
  if (!shape) return undefined;
  return makeFinding(src, lines, { ...shape, source: DS_CONFIG_SOURCE }, entry.value.from, entry.value.to, sparsity);
}
