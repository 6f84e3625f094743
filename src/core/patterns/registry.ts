/**
 * Every preset, one spec each (presets/*.ts). Adding a preset = its module + one line here, its
 * config type in config.ts's union, and its name in package.json's defaultPattern setting (a test
 * checks that list against this one).
 */
import type { PatternConfig, PatternName } from '../config';
import { deepspeedBsLongformerSpec } from './presets/deepspeedBsLongformer';
import { deepspeedDenseSpec } from './presets/deepspeedDense';
import { deepspeedFixedSpec } from './presets/deepspeedFixed';
import { deepspeedVariableSpec } from './presets/deepspeedVariable';
import { denseSpec } from './presets/dense';
import { fairseqFixedSpec } from './presets/fairseqFixed';
import { fixedSpec } from './presets/fixed';
import { jukeboxSummarySpec } from './presets/jukeboxSummary';
import { localSpec } from './presets/local';
import { lraFixedSpec } from './presets/lraFixed';
import { openaiFixedSpec } from './presets/openaiFixed';
import { stridedSpec } from './presets/strided';
import type { AnySpec } from './spec';

// Each entry is typed by its own module (PatternSpec<ItsConfig>); here they are only looked up.
const SPECS: Record<PatternName, object> = {
  fixed: fixedSpec,
  strided: stridedSpec,
  local: localSpec,
  dense: denseSpec,
  'lra-fixed': lraFixedSpec,
  'fairseq-fixed': fairseqFixedSpec,
  'jukebox-summary': jukeboxSummarySpec,
  'openai-fixed': openaiFixedSpec,
  'deepspeed-fixed': deepspeedFixedSpec,
  'deepspeed-variable': deepspeedVariableSpec,
  'deepspeed-bslongformer': deepspeedBsLongformerSpec,
  'deepspeed-dense': deepspeedDenseSpec,
};

/** Every preset, in the order the form and the CLI list them. */
export const REGISTERED_PATTERNS = Object.keys(SPECS) as PatternName[];

/** The spec of a preset; its functions take any config of that preset. */
export function patternSpec(name: PatternName): AnySpec {
  return SPECS[name] as unknown as AnySpec;
}

/** The PyTorch snippet that builds the config's mask. */
export function torchSnippet(config: PatternConfig): string {
  return patternSpec(config.pattern).torchSnippet(config);
}
