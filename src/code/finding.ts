/**
 * Arguments read from the source to a ConfigFinding: each preset parameter takes the argument
 * spelled with one of its `python` keywords (from the registry), else the peer's default, else
 * the preset's; the registry validates the result and each issue is placed on its argument.
 */
import { defaultConfig, MAX_HEADS, patternSpec, validateConfig } from '../core';
import type { ConfigIssue, ParamSpec, PatternConfig, PatternName } from '../core';
import type { CallShape } from './callShapes';
import type { LineIndex, SourceRange } from './positions';
import { Arguments, evaluate, PyValue, SourceText } from './pythonValues';

export interface FoundValue {
  value: unknown;
  /** The expression the value came from: the argument, or the constant or parameter default it resolved through. */
  range: SourceRange;
  /** The argument (or dict entry) that sets this key in the config's own call: where its problems are shown. */
  argument: SourceRange;
}

export interface ConfigIssueAt {
  key?: string;
  message: string;
  range: SourceRange;
}

export interface ConfigFinding {
  /** The whole call, the "sparse_attention" dict, or the class whose fields hold the config. */
  range: SourceRange;
  preset: PatternName;
  /** What was recognised: 'FixedSparsityConfig(...)', 'ds_config sparse_attention', 'attn_mode="fixed"', 'keywords', … */
  source: string;
  /** Found values over the peer's defaults over the preset's defaults. */
  config: PatternConfig;
  found: Record<string, FoundValue>;
  /** Keys whose value could not be read (shown as unknown; the config holds the default). */
  unresolved: string[];
  /** The registry's validation issues that do not rest on an unknown value. */
  issues: ConfigIssueAt[];
}

/** Keys that belong to the model, never to a preset's taste: unknown when the source does not say them. */
const MODEL_KEYS = new Set(['n', 'heads']);

export function makeFinding(src: SourceText, lines: LineIndex, shape: CallShape, from: number, to: number, args: Arguments): ConfigFinding {
  const spec = patternSpec(shape.preset);
  const config = defaultConfig(shape.preset) as unknown as Record<string, unknown>;
  const found: Record<string, FoundValue> = {};
  const unresolved: string[] = [];
  const range = lines.range(from, to);
  // A call with a signature takes only its own parameters; plain keywords take every keyword of the preset.
  const { names: parameters, spellings = [] } = shape.signature;
  const accepts = (name: string) => parameters.length === 0 || parameters.includes(name) || spellings.includes(name);
  for (const param of spec.params) {
    const names = param.python.filter(accepts);
    const name = names.find((n) => args.byName.has(n));
    if (name !== undefined) {
      const argument = args.byName.get(name)!;
      const resolved = evaluate(src, argument.value, argument.scope);
      if (resolved === undefined) unresolved.push(param.key);
      else {
        const value = configValue(param, resolved.value);
        config[param.key] = value;
        found[param.key] = { value, range: lines.range(resolved.from, resolved.to), argument: lines.range(argument.from, argument.to) };
      }
      continue;
    }
    // `**kwargs` from a caller may set anything the call takes; else the peer's default, else the preset's.
    const peerDefault = names.find((n) => n in shape.signature.defaults);
    if ((args.opaque && names.length > 0) || (peerDefault === undefined && MODEL_KEYS.has(param.key))) unresolved.push(param.key);
    else if (peerDefault !== undefined) config[param.key] = configValue(param, shape.signature.defaults[peerDefault]);
  }
  const issues = certainIssues(spec.params, config, unresolved).map((issue) => ({ key: issue.field, message: issue.message, range: found[issue.field]?.argument ?? range }));
  return { range, preset: shape.preset, source: shape.source, config: config as unknown as PatternConfig, found, unresolved, issues };
}

/** Unknown values tried per kind; more than this many unknown keys and no rule is judged. */
const MAX_UNKNOWN = 4;
/** Divisible by every block, stride and count a config uses (lcm of 1..16), yet within the limits on n. */
const LARGE = 720_720;

/**
 * The registry's issues that hold whatever the unknown values are: an issue is kept only when it
 * comes back, word for word, with every unknown key at its default, at 1 and at a large, highly
 * divisible value (each choice and boolean at each of its values). `c (40) must be <= l (32)`
 * with l unknown is dropped: l = 720720 passes.
 */
function certainIssues(params: readonly ParamSpec[], config: Record<string, unknown>, unresolved: readonly string[]): ConfigIssue[] {
  const issues = validateConfig(config as unknown as PatternConfig).filter((issue) => !unresolved.includes(issue.field));
  if (!unresolved.length || !issues.length) return issues;
  if (unresolved.length > MAX_UNKNOWN) return [];
  let variants: Record<string, unknown>[] = [config];
  for (const key of unresolved) {
    const param = params.find((p) => p.key === key)!;
    variants = variants.flatMap((variant) => candidates(param, variant[key]).map((value) => ({ ...variant, [key]: value })));
  }
  const seen = (issue: ConfigIssue) => (variant: Record<string, unknown>) =>
    validateConfig(variant as unknown as PatternConfig).some((other) => other.field === issue.field && other.message === issue.message);
  return issues.filter((issue) => variants.every(seen(issue)));
}

function candidates(param: ParamSpec, fallback: unknown): unknown[] {
  if (param.kind === 'boolean') return [true, false];
  if (param.kind === 'choice') return [...param.options!];
  if (param.kind === 'integers') return [fallback, param.optional ? [] : [1]];
  // heads stays within MAX_HEADS (840 = lcm of 1..8), or every variant would stop at that limit.
  return [fallback, 1, param.key === 'heads' ? Math.min(840, MAX_HEADS) : LARGE];
}

/** Python's None is an empty list where a list parameter is optional (DeepSpeed's global_block_end_indices=None). */
function configValue(param: ParamSpec, value: PyValue): unknown {
  return value === null && param.kind === 'integers' && param.optional ? [] : value;
}
