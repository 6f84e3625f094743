/** The default config comes from the user's `sparseAttention.*` settings, checked by the core. */
import * as vscode from 'vscode';
import { defaultConfig, PATTERN_NAMES, PatternConfig, PatternName } from '../core/config';
import { COMPUTE_BACKENDS, InspectorSettings, MAP_RENDERERS } from '../protocol';

/** A setting's value when it is one of `allowed`, else 'auto' (a hand-edited settings.json may hold anything). */
function oneOf<T extends string>(key: string, allowed: readonly T[]): T {
  const value = vscode.workspace.getConfiguration('sparseAttention').get<string>(key, 'auto');
  return allowed.includes(value as T) ? (value as T) : ('auto' as T);
}

export function inspectorSettings(): InspectorSettings {
  return { computeBackend: oneOf('computeBackend', COMPUTE_BACKENDS), mapRenderer: oneOf('mapRenderer', MAP_RENDERERS) };
}

export function configFromSettings(): PatternConfig {
  const settings = vscode.workspace.getConfiguration('sparseAttention');
  const pattern = settings.get<string>('defaultPattern', 'fixed') as PatternName;
  const base = defaultConfig(PATTERN_NAMES.includes(pattern) ? pattern : 'fixed');
  const n = settings.get<number>('n', 256);
  const heads = settings.get<number>('heads', 4);
  if (base.pattern === 'openai-fixed' || base.pattern === 'deepspeed-fixed') return { ...base, n, heads };
  return {
    ...base,
    n,
    heads,
    stride: settings.get<number>('stride', base.stride),
    c: settings.get<number>('summaryLength', base.c),
    subblocks: settings.get<number>('subblocks', base.subblocks),
    mode: settings.get<'merged' | 'split' | 'interleaved'>('mode', base.mode),
    bidirectional: settings.get<boolean>('bidirectional', base.bidirectional),
  };
}
