/**
 * Columns covered by a changing set of column intervals: a segment tree over [0, n) that counts,
 * per node, how many intervals cover it whole, and how many of its columns are covered. Adding or
 * removing an interval and asking how much of [a, b) is covered both cost O(log n). This is what
 * lets statistics of overlapping tiles (the union of heads) run in O(tiles log n), not O(nnz).
 */
export class ColumnCoverage {
  private readonly size: number;
  private readonly cover: Int32Array;
  private readonly covered: Float64Array;

  constructor(readonly n: number) {
    let size = 1;
    // Stryker disable next-line EqualityOperator: `<=` doubles once more (a larger tree, same counts); `>=` is killed
    while (size < Math.max(1, n)) size *= 2;
    this.size = size;
    this.cover = new Int32Array(2 * size);
    this.covered = new Float64Array(2 * size);
  }

  /** Adds (+1) or removes (-1) the interval [a, b). */
  add(a: number, b: number, delta: 1 | -1): void {
    // An empty or inverted interval touches no node of the tree, so the guard only saves a call.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above; `false` (never adding) is killed
    if (b > a) this.update(1, 0, this.size, a, b, delta);
  }

  /** Number of covered columns in all of [0, n). */
  total(): number {
    return this.covered[1];
  }

  /** Number of covered columns in [a, b). */
  coveredIn(a: number, b: number): number {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: with b <= a every node lies right of b or left of a and adds 0; the guard only saves time (`false` and `<=` are killed)
    return b > a ? this.query(1, 0, this.size, a, b) : 0;
  }

  private update(node: number, lo: number, hi: number, a: number, b: number, delta: number): void {
    if (b <= lo || hi <= a) return;
    if (a <= lo && hi <= b) this.cover[node] += delta;
    else {
      const mid = (lo + hi) >> 1;
      this.update(2 * node, lo, mid, a, b, delta);
      this.update(2 * node + 1, mid, hi, a, b, delta);
    }
    this.covered[node] = this.cover[node] > 0 ? hi - lo : hi - lo > 1 ? this.covered[2 * node] + this.covered[2 * node + 1] : 0;
  }

  private query(node: number, lo: number, hi: number, a: number, b: number): number {
    if (b <= lo || hi <= a) return 0;
    if (this.cover[node] > 0) return Math.min(b, hi) - Math.max(a, lo);
    if (a <= lo && hi <= b) return this.covered[node];
    const mid = (lo + hi) >> 1;
    return this.query(2 * node, lo, mid, a, b) + this.query(2 * node + 1, mid, hi, a, b);
  }
}
