/** The config form's fields per preset, read from the preset's spec in the registry. */
import { PATTERN_NAMES, PatternConfig, PatternName } from '../src/core/config';
import { patternSpec } from '../src/core/patterns/registry';
import type { ParamSpec } from '../src/core/patterns/spec';

export interface FieldSpec {
  key: string;
  label: string;
  /** list: integers typed as "4, 8" (an empty box is an empty list). */
  kind: 'number' | 'select' | 'checkbox' | 'list';
  options?: readonly string[];
  min?: number;
  title?: string;
  /** Its name in the one-line summary of the folded config bar (the key when absent). */
  short?: string;
}

const PATTERN_FIELD: FieldSpec = { key: 'pattern', label: 'Pattern', kind: 'select', options: PATTERN_NAMES };
const KINDS: Record<ParamSpec['kind'], FieldSpec['kind']> = { integer: 'number', boolean: 'checkbox', choice: 'select', integers: 'list' };

function field(param: ParamSpec): FieldSpec {
  const { key, label, options, min, title, short } = param;
  return { key, label, kind: KINDS[param.kind], options, min, title, short };
}

export function fieldsFor(pattern: PatternName): FieldSpec[] {
  return [PATTERN_FIELD, ...patternSpec(pattern).params.map(field)];
}

/** The config in one line, for the folded config bar: "fixed · n 4096 · l 128 · c 8 · K 4 · 8 heads · merged". */
export function describeConfig(config: PatternConfig): string {
  const parts: string[] = [config.pattern, `n ${config.n.toLocaleString('en-US')}`];
  for (const spec of fieldsFor(config.pattern)) {
    if (spec.key === 'pattern' || spec.key === 'n' || spec.key === 'heads') continue;
    if (spec.key === 'layer' && !('mode' in config && config.mode === 'interleaved')) continue;
    const value = (config as unknown as Record<string, unknown>)[spec.key];
    if (typeof value === 'boolean') {
      if (value) parts.push(spec.label.toLowerCase());
    } else if (Array.isArray(value)) parts.push(`${spec.short ?? spec.key} [${value.join(', ')}]`);
    else parts.push(typeof value === 'number' ? `${spec.short ?? spec.key} ${value}` : String(value));
  }
  parts.push(`${config.heads} heads`);
  return parts.join(' · ');
}
