/**
 * Quick fixes for an invalid config found in code: the nearest values of the parameter at fault
 * (down and up) that clear its issue without adding another, found by asking the registry's own
 * validation, so every rule a preset has (c <= l, n a multiple of block, DeepSpeed's divisibility
 * checks) gets its fix without a second table of rules.
 */
import { patternSpec, validateConfig } from '../core';
import type { PatternConfig } from '../core';

export interface ValueFix {
  key: string;
  value: number;
  /** "Set c to 32 (= l)". */
  title: string;
}

/** How far from the current value the search goes each way. */
const MAX_STEPS = 4096;

export function fixesFor(config: PatternConfig, key: string): ValueFix[] {
  const spec = patternSpec(config.pattern);
  const param = spec.params.find((p) => p.key === key);
  const values = config as unknown as Record<string, unknown>;
  const current = values[key];
  if (!param || param.kind !== 'integer' || typeof current !== 'number') return [];
  const before = validateConfig(config).length;
  const fixes = (value: number): boolean => {
    const issues = validateConfig({ ...config, [key]: value } as PatternConfig);
    return issues.length < before && !issues.some((issue) => issue.field === key);
  };
  const lowest = param.min ?? 0;
  const found: number[] = [];
  for (let step = 1; step <= MAX_STEPS && current - step >= lowest; step++) {
    if (fixes(current - step)) {
      found.push(current - step);
      break;
    }
  }
  for (let step = 1; step <= MAX_STEPS; step++) {
    if (fixes(current + step)) {
      found.push(current + step);
      break;
    }
  }
  const name = param.short ?? param.name ?? param.key;
  return found.map((value) => {
    const same = spec.params.find((p) => p.key !== key && p.kind === 'integer' && values[p.key] === value);
    return { key, value, title: `Set ${name} to ${value}${same ? ` (= ${same.short ?? same.name ?? same.key})` : ''}` };
  });
}
