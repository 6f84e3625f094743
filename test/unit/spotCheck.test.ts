/**
 * The float64 spot check of a finished result (what catches a GPU kernel that compiles and returns
 * garbage): which rows it checks, its budget, and the error it reports, relative to each row's |v|.
 */
import { strict as assert } from 'assert';
import { buildPattern, defaultConfig, FactorizedConfig, RangeList, referenceAttention, spotCheck } from '../../src/core';
import { randomQkv } from '../support/attentionCases';

const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n: 40, stride: 8, c: 2, heads: 2 };
const mask = buildPattern(config);
const input = randomQkv(config.heads, config.n, 4, 3);
const { d, n } = input;
const exact = referenceAttention(mask, input, false).out;

/** The columns row i of head h reads. */
function columns(h: number, i: number): number[] {
  const list = new RangeList();
  mask.heads[h].row(i, list);
  const out: number[] = [];
  for (let r = 0; r < list.length; r++) for (let j = list.starts[r]; j < list.ends[r]; j++) out.push(j);
  return out;
}

describe('the float64 spot check', () => {
  it('checks rows 0, n − 1 and rowsPerHead evenly spread rows of every head, each once', () => {
    // n = 40, 8 rows: 0, 39 and 2, 7, 12, …, 37: 10 distinct per head.
    const check = spotCheck(mask, input, exact);
    assert.equal(check.rows, 20);
    assert.ok(check.maxError < 1e-6, String(check.maxError));
    assert.equal(spotCheck(mask, input, exact, 1).rows, 2 * 3, 'rows 0, 20 and 39');
    assert.equal(spotCheck(mask, input, exact, 80).rows, 2 * n, 'never a row twice, never past n − 1');
  });

  it('reports the largest error relative to the largest |v| the row reads; an unchecked row goes unseen', () => {
    const out = Float64Array.from(exact);
    out[1 * n * d + 12 * d + 2] += 0.5; // head 1, row 12 (checked)
    out[13 * d] += 100; // head 0, row 13 (not checked)
    let vMax = 0;
    for (const j of columns(1, 12)) for (let c = 0; c < d; c++) vMax = Math.max(vMax, Math.abs(input.v[1 * n * d + j * d + c]));
    const { maxError } = spotCheck(mask, input, out);
    assert.ok(Math.abs(maxError - 0.5 / vMax) < 1e-9, `${maxError} vs ${0.5 / vMax}`);
  });

  it('NaN anywhere it looks is an infinite error; the cell budget stops after the row that reaches it', () => {
    const out = Float64Array.from(exact);
    out[39 * d + 1] = NaN;
    assert.equal(spotCheck(mask, input, out).maxError, Infinity);
    assert.equal(spotCheck(mask, input, exact, 8, 1).rows, 1, 'row 0 reads one cell: a budget of 1 stops after it');
    // Head 1 is not started once head 0 has spent the budget.
    const headZero = [0, 20, 39].reduce((sum, i) => sum + columns(0, i).length, 0);
    assert.equal(spotCheck(mask, input, exact, 1, headZero).rows, 3);
    // One cell more: head 1 starts, and its row 0 (one cell) reaches the budget.
    assert.equal(spotCheck(mask, input, exact, 1, headZero + 1).rows, 4);
  });
});
