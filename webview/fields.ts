/** The config form's fields per preset: what to show, how to read it back into the config. */
import { PATTERN_NAMES, PatternConfig, PatternName } from '../src/core/config';

export interface FieldSpec {
  key: string;
  label: string;
  kind: 'number' | 'select' | 'checkbox';
  options?: readonly string[];
  min?: number;
  title?: string;
  /** Its name in the one-line summary of the folded config bar (the key when absent). */
  short?: string;
}

const F = {
  pattern: { key: 'pattern', label: 'Pattern', kind: 'select', options: PATTERN_NAMES },
  n: { key: 'n', label: 'Sequence length n', kind: 'number', min: 1 },
  heads: { key: 'heads', label: 'Heads', kind: 'number', min: 1 },
  stride: { key: 'stride', label: 'Stride l', kind: 'number', min: 1, title: 'Block length of the fixed pattern', short: 'l' },
  c: { key: 'c', label: 'Summary c', kind: 'number', min: 1, title: 'Summary cells per block', short: 'c' },
  subblocks: { key: 'subblocks', label: 'Sub-blocks K', kind: 'number', min: 1, title: 'Distinct summary sub-blocks; head h uses h mod K', short: 'K' },
  mode: { key: 'mode', label: 'Mode', kind: 'select', options: ['merged', 'split', 'interleaved'] },
  layer: { key: 'layer', label: 'Layer r', kind: 'number', min: 0, title: 'Interleaved mode: even layers use A1, odd layers A2' },
  bidirectional: { key: 'bidirectional', label: 'Bidirectional', kind: 'checkbox' },
  block: { key: 'block', label: 'Block B', kind: 'number', min: 1, short: 'B' },
  numVerts: { key: 'numVerts', label: 'num_verts', kind: 'number', min: 1, short: 'num_verts' },
  vertsize: { key: 'vertsize', label: 'vertsize', kind: 'number', min: 1, short: 'vertsize' },
  numLocalBlocks: { key: 'numLocalBlocks', label: 'num_local_blocks', kind: 'number', min: 1, short: 'local' },
  numGlobalBlocks: { key: 'numGlobalBlocks', label: 'num_global_blocks', kind: 'number', min: 1, short: 'global' },
  attention: { key: 'attention', label: 'attention', kind: 'select', options: ['bidirectional', 'unidirectional'] },
  horizontalGlobalAttention: { key: 'horizontalGlobalAttention', label: 'horizontal_global_attention', kind: 'checkbox' },
  differentLayoutPerHead: { key: 'differentLayoutPerHead', label: 'different_layout_per_head', kind: 'checkbox' },
  numDifferentGlobalPatterns: { key: 'numDifferentGlobalPatterns', label: 'num_different_global_patterns', kind: 'number', min: 1, short: 'patterns' },
} satisfies Record<string, FieldSpec>;

const MODES = [F.mode, F.layer];

export function fieldsFor(pattern: PatternName): FieldSpec[] {
  switch (pattern) {
    case 'fixed':
      return [F.pattern, F.n, F.stride, F.c, F.heads, F.subblocks, ...MODES, F.bidirectional];
    case 'strided':
      return [F.pattern, F.n, F.stride, F.heads, ...MODES, F.bidirectional];
    case 'local':
      return [F.pattern, F.n, F.stride, F.heads, F.bidirectional];
    case 'dense':
      return [F.pattern, F.n, F.heads, F.bidirectional];
    case 'lra-fixed':
    case 'fairseq-fixed':
      return [F.pattern, F.n, F.stride, F.c, F.heads, F.bidirectional];
    case 'jukebox-summary':
      return [F.pattern, F.n, F.stride, F.c, F.heads, ...MODES];
    case 'openai-fixed':
      return [F.pattern, F.n, F.heads, F.block, F.stride, F.numVerts, F.vertsize];
    case 'deepspeed-fixed':
      return [
        F.pattern,
        F.n,
        F.heads,
        F.block,
        F.numLocalBlocks,
        F.numGlobalBlocks,
        F.attention,
        F.horizontalGlobalAttention,
        F.differentLayoutPerHead,
        F.numDifferentGlobalPatterns,
      ];
  }
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
    } else parts.push(typeof value === 'number' ? `${spec.short ?? spec.key} ${value}` : String(value));
  }
  parts.push(`${config.heads} heads`);
  return parts.join(' · ');
}
