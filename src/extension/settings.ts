/** The default config comes from the user's `sparseAttention.*` settings, checked by the core. */
import * as vscode from 'vscode';
import { defaultConfig, PATTERN_NAMES, PatternConfig, PatternName } from '../core/config';
import { patternSpec } from '../core/patterns/registry';
import { COMPUTE_BACKENDS, InspectorSettings, MAP_RENDERERS } from '../protocol';

/** A setting's value when it is one of `allowed`, else 'auto' (a hand-edited settings.json may hold anything). */
function oneOf<T extends string>(key: string, allowed: readonly T[]): T {
  const value = vscode.workspace.getConfiguration('sparseAttention').get<string>(key, 'auto');
  return allowed.includes(value as T) ? (value as T) : ('auto' as T);
}

export function inspectorSettings(): InspectorSettings {
  return { computeBackend: oneOf('computeBackend', COMPUTE_BACKENDS), mapRenderer: oneOf('mapRenderer', MAP_RENDERERS) };
}

/** The default config: the preset's defaults, with each parameter's `sparseAttention.*` setting where it has one. */
export function configFromSettings(): PatternConfig {
  const settings = vscode.workspace.getConfiguration('sparseAttention');
  const pattern = settings.get<string>('defaultPattern', 'fixed') as PatternName;
  const config = defaultConfig(PATTERN_NAMES.includes(pattern) ? pattern : 'fixed') as unknown as Record<string, unknown>;
  for (const param of patternSpec(config.pattern as PatternName).params) {
    if (param.setting) config[param.key] = settings.get(param.setting, config[param.key]);
  }
  return config as unknown as PatternConfig;
}
