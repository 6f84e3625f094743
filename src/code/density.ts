/** The density a finding's config has (the union of its heads), once it is known, valid and within budget. */
import { buildPattern, inspectorIssues, isCausal, patternStats } from '../core';
import type { ConfigFinding } from './finding';

export type FindingDensity =
  | { known: true; density: number; against: 'causal' | 'full' }
  | { known: false; reason: string };

/** Against the causal triangle for causal configs, the full square otherwise; the inspector's limits decide whether it is computed. */
export function findingDensity(finding: ConfigFinding): FindingDensity {
  if (finding.unresolved.length) return { known: false, reason: `unknown ${finding.unresolved.join(', ')}` };
  if (finding.issues.length) return { known: false, reason: 'invalid config' };
  // Statistics cost grows with stored tiles: the inspector's own budget says when to stop.
  const budget = inspectorIssues(finding.config);
  if (budget.length) return { known: false, reason: budget[0].message };
  const union = patternStats(buildPattern(finding.config)).union;
  return isCausal(finding.config) ? { known: true, density: union.densityVsCausal, against: 'causal' } : { known: true, density: union.densityVsFull, against: 'full' };
}
