/**
 * The CPU pool's worker thread (dist/cpu-worker.js): the attention core and the job loop only, so
 * that each thread loads a small bundle rather than the whole CLI.
 */
import { serveWorker } from './cpuPool';

if (!serveWorker()) throw new Error('cpu-worker.js is started by the CPU pool (src/cli/cpuPool.ts) as a worker thread');
