/**
 * What a preset is, in one place: its parameters (with the names the CLI, the form, the settings
 * and the peers' Python use for each), its rules, how it builds, explains a cell, and prints as
 * PyTorch. Each preset is one module in presets/ exporting one PatternSpec; registry.ts lists them.
 */
import type { ConfigIssue, PatternConfig, PatternName } from '../config';
import type { PatternMask } from '../mask';

export type ParamKind = 'integer' | 'boolean' | 'choice' | 'integers';

export interface ParamSpec {
  /** The config field. */
  key: string;
  /** The form's label. */
  label: string;
  kind: ParamKind;
  /** The CLI flag, without the dashes. */
  flag: string;
  /** Keywords the peers' Python code uses for it (DeepSpeed `block`, xformers `block_size`, fairseq `stride`). */
  python: readonly string[];
  /** Smallest value (integer) or smallest element (integers). */
  min?: number;
  /** The values a choice takes. */
  options?: readonly string[];
  /** integers: may be empty, meaning Python's None. */
  optional?: boolean;
  /** How messages name it ("stride l", "num_verts"); the key when absent. */
  name?: string;
  /** Tooltip in the form. */
  title?: string;
  /** Its name in the folded config bar's one-line summary (the key when absent). */
  short?: string;
  /** The `sparseAttention.*` setting that gives its default in VS Code, if any. */
  setting?: string;
  /** The peer's own message for a value that fails this parameter's check, instead of the generic one. */
  refusal?: string;
}

/** Why the whole sequence is one window, for the warning that says so (see analysis.ts). */
export interface WindowSize {
  size: number;
  what: string;
  change: string;
}

export interface PatternSpec<C extends PatternConfig = PatternConfig> {
  name: C['pattern'];
  /** One line: what it is and whose code it follows. */
  summary: string;
  defaults: C;
  /** In the form's order; n and heads included. */
  params: readonly ParamSpec[];
  /** The preset's rules, run once every parameter passed its own check; the peers' wording where it is theirs. */
  validate(config: C, issues: ConfigIssue[]): void;
  build(config: C): PatternMask;
  /** Causal (j <= i everywhere), for the reachability check and the warnings. */
  causal(config: C): boolean;
  /** The name of the rule that allows an allowed cell, for hover text; the paper's presets answer A1/A2 in explain.ts instead. */
  rule?(config: C, h: number, i: number, j: number): string;
  torchSnippet(config: C): string;
  /** Builds a block layout [H, n/block, n/block] (the `--layout` output; tiles estimated by a sample build). */
  layout?: boolean;
  /** The window that, as long as n, makes every head one dense block. */
  window?(config: C): WindowSize | undefined;
}

/** Any preset's spec, for code that works on every preset. */
export type AnySpec = PatternSpec<PatternConfig>;

/** The message naming for a parameter. */
export const nameOf = (param: ParamSpec): string => param.name ?? param.key;

/** Each parameter's own check (type and bounds), tied to its field. */
export function checkParams(params: readonly ParamSpec[], config: PatternConfig, issues: ConfigIssue[]): void {
  const values = config as unknown as Record<string, unknown>;
  for (const param of params) {
    const value = values[param.key];
    const name = nameOf(param);
    const issue = (message: string) => issues.push({ field: param.key, message: param.refusal ?? message });
    // No minimum is -Infinity; Number.isInteger is false for anything but a number.
    const min = param.min ?? -Infinity;
    if (param.kind === 'integer') {
      if (!Number.isInteger(value)) issue(`${name} must be an integer (got ${value})`);
      else if ((value as number) < min) issue(`${name} must be >= ${min} (got ${value})`);
    } else if (param.kind === 'boolean') {
      if (typeof value !== 'boolean') issue(`${name} must be true or false (got ${value})`);
    } else if (param.kind === 'choice') {
      if (!param.options!.includes(value as string)) issue(`${name} must be ${orList(param.options!)} (got ${value})`);
    } else if (!Array.isArray(value) || !value.every((x) => Number.isInteger(x))) {
      issue(`${name} must be a list of integers, e.g. 4, 8 (got ${value})`);
    } else if (!param.optional && value.length === 0) issue(`${name} needs at least one value`);
    else if (value.some((x) => x < min)) issue(`${name} must hold integers >= ${min} (got ${value.join(', ')})`);
  }
}

/** "a, b or c". */
export function orList(options: readonly string[]): string {
  return options.length < 2 ? (options[0] ?? '') : `${options.slice(0, -1).join(', ')} or ${options[options.length - 1]}`;
}

/** Python's floor division and modulo (the peers' arithmetic on negative numbers). */
export const pyDiv = (a: number, b: number): number => Math.floor(a / b);
export const pyMod = (a: number, b: number): number => a - b * Math.floor(a / b);

export type { PatternName };
