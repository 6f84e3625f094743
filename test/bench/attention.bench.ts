/**
 * `npm run bench` (attention part), bundled by esbuild so the CPU pool's workers can start:
 * fixed l=128, c=8, causal, 8 heads, d=64, n = 1024, 4096, 16384. Medians of several runs
 * (single runs where one takes minutes, marked), side by side with ratios to NumPy.
 */
import { execFileSync } from 'child_process';
import { GPU } from 'gpu.js';
import { buildPattern, defaultConfig, FactorizedConfig, PatternMask, patternStats, QKV } from '../../src/core';
import { nodeWebGpu } from '../../src/cli/nodeGpu';
import { CpuPool, serveWorker } from '../../src/cli/cpuPool';
import { gpuAttention } from '../../src/gpu/kernels';
import { denseMaskedJs, tfjsDenseMasked } from './baselines';

const H = 8;
const D = 64;
const L = 128;
const C = 8;
const SIZES = [1024, 4096, 16384];

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

async function timeIt(runs: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up: JIT, kernel compilation, worker start
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function randomInput(n: number, heads = H): QKV {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const make = () => Float32Array.from({ length: heads * n * D }, random);
  return { heads, n, d: D, q: make(), k: make(), v: make() };
}

interface Row {
  name: string;
  ms: Record<number, number | string>;
}

async function main(): Promise<void> {
  const python = ['python3', '/usr/bin/python3'].find((p) => {
    try {
      execFileSync(p, ['-c', 'import numpy']);
      return true;
    } catch {
      return false;
    }
  });
  const rows: Row[] = [
    { name: 'NumPy dense masked (notebook way)', ms: {} },
    { name: 'plain JS dense masked', ms: {} },
    { name: 'tfjs-wasm dense masked', ms: {} },
    { name: 'ours: CPU path, wasm-simd, 2 worker threads', ms: {} },
    { name: 'ours: CPU path, wasm-simd, 1 thread', ms: {} },
    { name: 'gpu.js webasm kernels', ms: {} },
    { name: 'gpu.js webgpu kernels (SwiftShader)', ms: {} },
  ];
  const flops: Record<number, number> = {};
  const pool = new CpuPool(2);
  const single = new CpuPool(1);
  let gemm = NaN;
  for (const n of SIZES) {
    const config: FactorizedConfig = { ...(defaultConfig('fixed') as FactorizedConfig), n, heads: H, stride: L, c: C, subblocks: 1 };
    const mask: PatternMask = buildPattern(config);
    flops[n] = patternStats(mask, D).heads.reduce((s, h) => s + h.cost.flops, 0);
    const input = randomInput(n);
    const log = (name: string, value: number | string) => {
      rows.find((r) => r.name === name)!.ms[n] = value;
      console.error(`  n=${n} ${name}: ${typeof value === 'number' ? value.toFixed(1) + ' ms' : value}`);
    };
    if (python) {
      const runs = n >= 16384 ? 1 : 3;
      const result = JSON.parse(execFileSync(python, [`${__dirname}/../../test/bench/numpy_attention.py`, String(n), String(H), String(D), String(L), String(C), String(runs)], { maxBuffer: 1 << 20 }).toString());
      gemm = result.gemm_gflops;
      log(rows[0].name, result.dense_masked_ms);
    } else log(rows[0].name, 'no numpy');
    // Dense baselines cost n² per head: one head, times 8, beyond n=1024 (marked "x8").
    const oneHead = randomInput(n, 1);
    if (n <= 4096) {
      const ms = await timeIt(n <= 1024 ? 3 : 1, () => denseMaskedJs(buildPattern({ ...config, heads: 1 }), oneHead));
      log(rows[1].name, n <= 1024 ? ms * H : `${(ms * H).toFixed(1)} (1 head x8)`);
      const tf = await timeIt(n <= 1024 ? 3 : 1, () => tfjsDenseMasked(buildPattern({ ...config, heads: 1 }), oneHead));
      log(rows[2].name, n <= 1024 ? tf * H : `${(tf * H).toFixed(1)} (1 head x8)`);
    } else {
      log(rows[1].name, 'skipped: n² scores');
      log(rows[2].name, 'skipped: n² scores exceed wasm memory');
    }
    log(rows[3].name, await timeIt(3, () => pool.run(config, input, false)));
    log(rows[4].name, await timeIt(3, () => single.run(config, input, false)));
    const webasm = new GPU({ mode: 'webasm' });
    log(rows[5].name, await timeIt(n >= 16384 ? 1 : 3, () => gpuAttention(webasm, mask, input)));
    webasm.destroy();
    // Dawn on SwiftShader crashed (SIGSEGV) at n=4096 here: the software GPU runs the smallest size only.
    if (n <= 1024) {
      process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';
      try {
        const webgpu = await nodeWebGpu();
        log(rows[6].name, await timeIt(1, () => gpuAttention(webgpu.gpu, mask, input)));
        webgpu.dispose();
      } catch (e) {
        log(rows[6].name, `unavailable: ${(e as Error).message.slice(0, 60)}`);
      }
    } else log(rows[6].name, 'skipped: software renderer');
  }
  pool.close();
  print(rows, flops, gemm);
}

function print(rows: Row[], flops: Record<number, number>, gemm: number): void {
  const numpy = rows[0].ms;
  const header = ['', ...SIZES.map((n) => `n=${n} ms`), ...SIZES.map((n) => `vs NumPy n=${n}`)];
  const table = [header];
  for (const row of rows) {
    const cells = [row.name];
    for (const n of SIZES) cells.push(typeof row.ms[n] === 'number' ? (row.ms[n] as number).toFixed(1) : String(row.ms[n] ?? ''));
    for (const n of SIZES) {
      const ms = typeof row.ms[n] === 'number' ? (row.ms[n] as number) : parseFloat(String(row.ms[n]));
      cells.push(typeof numpy[n] === 'number' && Number.isFinite(ms) ? `${((numpy[n] as number) / ms).toFixed(1)}x` : '');
    }
    table.push(cells);
  }
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)) + 2);
  console.log(`\nsparse attention: fixed l=${L}, c=${C}, causal, ${H} heads, d=${D} (node ${process.version}; ratio > 1 = faster than NumPy)`);
  for (const r of table) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(''));
  const ours = rows[3].ms;
  console.log(`\nnative GEMM (NumPy float32 2048x2048 matmul): ${gemm.toFixed(1)} GFLOP/s`);
  for (const n of SIZES) {
    const ms = ours[n] as number;
    const rate = flops[n] / ms / 1e6;
    console.log(`ours n=${n}: ${(flops[n] / 1e9).toFixed(2)} GFLOP of allowed-cell work in ${ms.toFixed(1)} ms = ${rate.toFixed(2)} GFLOP/s effective, ${((100 * rate) / gemm).toFixed(1)}% of native GEMM`);
  }
  console.log('targets: CPU path >= 5x NumPy at n=4096, >= 15x at n=16384; effective >= 5% of native GEMM');
}

if (!serveWorker()) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
