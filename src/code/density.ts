/**
 * The density of a finding's config: the mean over heads of each head's allowed cells, against
 * the causal triangle for causal configs and the full square otherwise (the share of the score
 * matrix each head computes). Computed only once the config is known, valid and within the
 * inspector's budget.
 */
import { buildPattern, headStats, HeadMask, inspectorIssues, isCausal } from '../core';
import type { ConfigFinding } from './finding';

export type FindingDensity =
  | { known: true; density: number; against: 'causal' | 'full' }
  | { known: false; reason: string };

export function findingDensity(finding: ConfigFinding): FindingDensity {
  if (finding.unresolved.length) return { known: false, reason: `unknown ${finding.unresolved.join(', ')}` };
  if (finding.issues.length) return { known: false, reason: 'invalid config' };
  // Statistics cost grows with stored tiles: the inspector's own budget says when to stop.
  const budget = inspectorIssues(finding.config);
  if (budget.length) return { known: false, reason: budget[0].message };
  const causal = isCausal(finding.config);
  const heads = buildPattern(finding.config).heads;
  // Heads often share one mask: each distinct one is summarized once.
  const perHead = new Map<HeadMask, number>();
  let sum = 0;
  for (const head of heads) {
    if (!perHead.has(head)) {
      const stats = headStats(head, 64);
      perHead.set(head, causal ? stats.densityVsCausal : stats.densityVsFull);
    }
    sum += perHead.get(head)!;
  }
  return { known: true, density: sum / heads.length, against: causal ? 'causal' : 'full' };
}
