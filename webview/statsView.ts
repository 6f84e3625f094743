/** The statistics table under the maps. */
import type { HeadStats, PatternAnalysis } from '../src/core';

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

function row(label: string, s: HeadStats): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const cells = [
    label,
    s.nnz.toLocaleString('en-US'),
    pct(s.densityVsCausal),
    pct(s.densityVsFull),
    `${s.rowMin} / ${s.rowMean.toFixed(1)} / ${s.rowMax}`,
    s.emptyRows.toLocaleString('en-US'),
    `${(s.denseCausalCost.flops / s.cost.flops).toFixed(1)}×`,
  ];
  cells.forEach((text, k) => {
    const cell = document.createElement(k === 0 ? 'th' : 'td');
    if (k === 0) cell.scope = 'row';
    cell.textContent = text;
    tr.append(cell);
  });
  return tr;
}

export function statsTable(analysis: PatternAnalysis): HTMLElement {
  const { stats, reach } = analysis;
  const table = document.createElement('table');
  table.className = 'stats-table';
  const caption = table.createCaption();
  caption.textContent = `n = ${stats.n}, d = ${stats.d}: ${stats.storedElements} stored tiles`;
  const head = table.createTHead().insertRow();
  for (const title of ['', 'nnz', 'vs causal', 'vs full', 'row min / mean / max', 'rows attending to nothing', 'FLOPs saved vs dense causal']) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  // Heads with equal masks are listed once, with their indices.
  const groups = new Map<HeadStats, number[]>();
  stats.heads.forEach((s, h) => groups.set(s, [...(groups.get(s) ?? []), h]));
  for (const [s, heads] of groups) body.append(row(`head${heads.length > 1 ? 's' : ''} ${heads.join(', ')}`, s));
  body.append(row('union', stats.union));
  const reachText = document.createElement('p');
  reachText.className = 'reach';
  reachText.textContent = !reach.checked
    ? `2-hop reachability: not checked (${reach.reason})`
    : reach.ok
      ? `2-hop reachability (${analysis.reachSteps}): every allowed pair connected`
      : `2-hop reachability (${analysis.reachSteps}): ${reach.unreachablePairs} pairs unreachable, first (i=${reach.firstUnreachable![0]}, j=${reach.firstUnreachable![1]})`;
  const wrapper = document.createElement('div');
  wrapper.append(table, reachText);
  return wrapper;
}
