/**
 * `npm run bench` (pattern part): time and peak memory to build and to summarize the fixed
 * layout, n = 4096, 16384, 65536, 8 heads (l=128, c=8, 4 distinct sub-blocks), against the
 * dense [H, n, n] mask that notebooks build. Medians of several runs.
 */
import { buildPattern, defaultConfig, FactorizedConfig, formatBytes, patternStats, toDense } from '../../src/core';

const gc = (globalThis as { gc?: () => void }).gc;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Median time, and the largest memory growth seen while `fn` runs (sampled before/after, result kept alive). */
function measure<T>(fn: () => T, runs = RUNS): { ms: number; bytes: number; result: T } {
  const times: number[] = [];
  let bytes = 0;
  let result!: T;
  for (let r = 0; r < runs; r++) {
    gc?.();
    const before = memory();
    const t0 = performance.now();
    result = fn();
    times.push(performance.now() - t0);
    bytes = Math.max(bytes, memory() - before);
  }
  return { ms: median(times), bytes, result };
}

const rows: string[][] = [['n', 'heads', 'build ms', 'build mem', 'stored tiles', 'stats ms', 'dense u1 mask', 'dense ms', 'mem ratio dense/ours']];
for (const n of [4096, 16384, 65536]) {
  const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n, heads: 8, stride: 128, c: 8, subblocks: 4 };
  const build = measure(() => buildPattern(config));
  const stats = measure(() => patternStats(build.result, 64), 3);
  const denseBytes = 8 * n * n;
  const dense = n <= 4096 ? measure(() => toDense(build.result), 3) : undefined;
  rows.push([
    String(n),
    '8',
    build.ms.toFixed(2),
    formatBytes(Math.max(build.bytes, 0)),
    String(stats.result.storedElements),
    stats.ms.toFixed(1),
    formatBytes(denseBytes),
    dense ? dense.ms.toFixed(1) : 'n/a (too large)',
    `${(denseBytes / Math.max(build.bytes, 1)).toFixed(0)}x`,
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)) + 2);
console.log('fixed pattern, l=128, c=8, 4 distinct sub-blocks, causal, merged (node ' + process.version + ')');
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join(''));
console.log('target: n=65536 x 8 heads built in < 100 ms with memory proportional to stored tiles, not n^2');
