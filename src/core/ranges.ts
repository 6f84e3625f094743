/**
 * A growable list of half-open column ranges [start, end) for one row.
 * Reused across rows so that sweeping a mask allocates nothing per row.
 */
export class RangeList {
  starts: Int32Array;
  ends: Int32Array;
  length = 0;

  constructor(capacity = 64) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  clear(): void {
    this.length = 0;
  }

  push(start: number, end: number): void {
    if (end <= start) return;
    if (this.length === this.starts.length) this.grow();
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  /** Number of columns covered (assumes normalized: sorted and disjoint). */
  count(): number {
    let total = 0;
    for (let r = 0; r < this.length; r++) total += this.ends[r] - this.starts[r];
    return total;
  }

  /** Sorts by start and merges overlapping or touching ranges, in place. */
  normalize(): void {
    const n = this.length;
    if (n < 2) return;
    // Sorting a list that is already sorted changes nothing (equal starts keep their order): the
    // mutants that sort more often are equivalent; those that skip a needed sort are killed.
    // Stryker disable next-line BooleanLiteral: see above
    let sorted = true;
    // Stryker disable next-line EqualityOperator: see above
    for (let r = 1; r < n; r++) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
      if (this.starts[r] < this.starts[r - 1]) {
        sorted = false;
        break;
      }
    }
    // Stryker disable next-line ConditionalExpression: see above
    if (!sorted) this.sortByStart();
    let w = 0;
    for (let r = 1; r < n; r++) {
      if (this.starts[r] <= this.ends[w]) {
        // Stryker disable next-line EqualityOperator: `>=` assigns the value already there; `<` is killed
        if (this.ends[r] > this.ends[w]) this.ends[w] = this.ends[r];
      } else {
        w++;
        this.starts[w] = this.starts[r];
        this.ends[w] = this.ends[r];
      }
    }
    this.length = w + 1;
  }

  toArray(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let r = 0; r < this.length; r++) out.push([this.starts[r], this.ends[r]]);
    return out;
  }

  private sortByStart(): void {
    // Unions concatenate several sorted runs; a native numeric sort on (start, index) keys
    // beats insertion sort there. Starts stay below 2^24 and indices below 2^29, so keys are exact.
    const n = this.length;
    const keys = new Float64Array(n);
    // Stryker disable next-line EqualityOperator: one more step writes past the end of the typed array, which is ignored; `>=` is killed
    for (let r = 0; r < n; r++) keys[r] = this.starts[r] * 536870912 + r;
    keys.sort();
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    // Stryker disable next-line EqualityOperator: one more step reads keys[n] (undefined) into index NaN of fresh arrays, and set copies only the first n; `>=` is killed
    for (let r = 0; r < n; r++) {
      const from = keys[r] % 536870912;
      starts[r] = this.starts[from];
      ends[r] = this.ends[from];
    }
    this.starts.set(starts);
    this.ends.set(ends);
  }

  private grow(): void {
    const starts = new Int32Array(this.starts.length * 2);
    const ends = new Int32Array(this.ends.length * 2);
    starts.set(this.starts);
    ends.set(this.ends);
    this.starts = starts;
    this.ends = ends;
  }
}
