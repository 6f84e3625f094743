/** Builds any preset into its compact per-head mask, or explains what is wrong with the config. */
import { ConfigError, PatternConfig, validateConfig } from './config';
import type { PatternMask } from './mask';
import { patternSpec } from './patterns/registry';

/** Throws ConfigError (with every issue, each tied to a field) when the config is invalid. */
export function buildPattern(config: PatternConfig): PatternMask {
  const issues = validateConfig(config);
  if (issues.length) throw new ConfigError(issues);
  return patternSpec(config.pattern).build(config);
}
