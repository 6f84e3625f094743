/**
 * A finding in one line, for its CodeLens: "Inspect fixed: n=4096 l=128 c=8 · 8 heads · density 6.4%".
 * Unknown values show as "?"; parameters without a short name show only when not at their default.
 */
import { defaultConfig, patternSpec } from '../core';
import type { FindingDensity } from './density';
import type { ConfigFinding } from './finding';

export function lensTitle(finding: ConfigFinding, density: FindingDensity): string {
  const values = finding.config as unknown as Record<string, unknown>;
  const defaults = defaultConfig(finding.preset) as unknown as Record<string, unknown>;
  const unknown = (key: string) => finding.unresolved.includes(key);
  const show = (value: unknown) => (Array.isArray(value) ? `[${value.join(',')}]` : String(value));
  const parts = [`n=${unknown('n') ? '?' : values.n}`];
  for (const param of patternSpec(finding.preset).params) {
    if (param.key === 'n' || param.key === 'heads') continue;
    const value = values[param.key];
    const name = param.short ?? param.name ?? param.key;
    if (unknown(param.key)) parts.push(`${name}=?`);
    else if (param.kind === 'boolean') {
      // Booleans by their peer's own spelling (different_layout_per_head), shown only when changed.
      const flag = (param.name ?? param.label).toLowerCase();
      if (value !== defaults[param.key]) parts.push(value ? flag : `no ${flag}`);
    } else if (param.short || show(value) !== show(defaults[param.key])) parts.push(`${name}=${show(value)}`);
  }
  const heads = unknown('heads') ? '? heads' : `${values.heads} head${values.heads === 1 ? '' : 's'}`;
  const densityText = density.known ? `density ${(100 * density.density).toFixed(density.density < 0.1 ? 2 : 1)}%` : finding.issues.length ? 'invalid' : 'density ?';
  return `Inspect ${finding.preset}: ${parts.join(' ')} · ${heads} · ${densityText}`;
}
