/**
 * The row view (the BertViz-style reading of one query): its weights over the allowed keys, top 10,
 * as labelled bars with the set that allows each key. Weights come from the stored probabilities,
 * or, past the transfer limit, from the attention worker for just this row.
 */
import { explainCell, explainedByDefinition, type PatternConfig, type PatternMask } from '../src/core';
import type { WeightSource } from './weightSource';

export interface RowSource {
  config: PatternConfig;
  mask: PatternMask;
  weights?: WeightSource;
}

export class RowView {
  readonly element = document.createElement('div');
  /** The row shown last: a late worker answer for an older row is dropped. */
  private showing: object | undefined;

  constructor(private readonly token: (i: number) => string) {
    this.element.className = 'row-view';
  }

  clear(): void {
    this.showing = undefined;
    this.element.replaceChildren();
  }

  show(source: RowSource, h: number, i: number): void {
    const title = document.createElement('h2');
    title.textContent = `Row ${i}${this.token(i)}, head ${h}`;
    const shown = (this.showing = {});
    const note = (text: string) => {
      const p = document.createElement('p');
      p.textContent = text;
      this.element.replaceChildren(title, p);
    };
    if (!source.weights) return note('Weights appear here once attention is computed.');
    // Stored weights answer at once; a worker computes this one row from Q/K/V (large n).
    note('Computing this row’s weights…');
    source.weights.row(h, i).then(
      ({ cols, values }) => void (this.showing === shown && this.list(title, source, h, i, cols, values)),
      (e: Error) => this.showing === shown && note(`This row’s weights could not be computed: ${e.message}`),
    );
  }

  private list(title: HTMLElement, source: RowSource, h: number, i: number, cols: ArrayLike<number>, values: ArrayLike<number>): void {
    const entries: Array<[number, number]> = [];
    for (let t = 0; t < cols.length; t++) entries.push([cols[t], values[t]]);
    entries.sort((a, b) => b[1] - a[1]);
    const list = document.createElement('ol');
    list.className = 'top-keys';
    for (const [j, w] of entries.slice(0, 10)) {
      const item = document.createElement('li');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.max(1, Math.round(w * 200))}px`;
      item.append(bar, ` j=${j}${this.token(j)}: ${w.toPrecision(3)} (${explainCell(source.config, h, i, j, explainedByDefinition(source.config) ? undefined : source.mask)})`);
      list.append(item);
    }
    this.element.replaceChildren(title, list);
  }
}
