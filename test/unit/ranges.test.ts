/** RangeList pinned with literal expectations (not checked against itself). */
import { strict as assert } from 'assert';
import { RangeList } from '../../src/core';

describe('RangeList', () => {
  it('ignores empty ranges, grows past its capacity, and counts columns', () => {
    const list = new RangeList(2);
    list.push(3, 3);
    list.push(5, 4);
    assert.deepEqual(list.toArray(), []);
    list.push(0, 2);
    list.push(4, 7);
    list.push(9, 10);
    assert.deepEqual(list.toArray(), [[0, 2], [4, 7], [9, 10]]);
    assert.equal(list.count(), 6);
    list.clear();
    assert.deepEqual(list.toArray(), []);
    assert.equal(list.count(), 0);
  });

  it('normalizes: sorts by start and merges overlapping and touching ranges, in place', () => {
    const list = new RangeList();
    for (const [s, e] of [[10, 12], [0, 2], [2, 4], [3, 5], [20, 21], [11, 15], [7, 8]] as const) list.push(s, e);
    list.normalize();
    assert.deepEqual(list.toArray(), [[0, 5], [7, 8], [10, 15], [20, 21]]);
    assert.equal(list.count(), 12);
    const sorted = new RangeList();
    for (const [s, e] of [[0, 3], [1, 2], [3, 6], [8, 9]] as const) sorted.push(s, e);
    sorted.normalize();
    assert.deepEqual(sorted.toArray(), [[0, 6], [8, 9]], 'an inner range does not shrink its cover; touching ones merge');
    const one = new RangeList();
    one.push(4, 6);
    one.normalize();
    assert.deepEqual(one.toArray(), [[4, 6]]);
  });

  it('sorts many unsorted runs (the union of heads) with equal starts kept in push order', () => {
    const list = new RangeList(1);
    const expected: Array<[number, number]> = [];
    for (let k = 0; k < 200; k++) {
      const start = ((k * 37) % 200) * 3;
      list.push(start, start + 1);
      expected.push([start, start + 1]);
    }
    list.push(0, 2);
    list.normalize();
    expected.sort((a, b) => a[0] - b[0]);
    expected[0] = [0, 2];
    assert.deepEqual(list.toArray(), expected);
  });
});
