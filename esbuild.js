// Bundles the extension host, the webview and the CLI. `node esbuild.js --watch` rebuilds on change.
// The SIMD kernel is bundled from the committed src/core/attention/kernel-wasm.ts (`npm run kernel`
// reassembles it from kernel.wat; a unit test fails when the two drift apart).
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const targets = [
  // gpu.js and webgpu stay outside the CLI bundle: they load native or worker files at run time.
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', banner: { js: '#!/usr/bin/env node' }, external: ['vscode', 'gpu.js', 'webgpu'] },
  // The CLI's CPU worker threads (src/cli/cpuPool.ts starts it from beside the CLI bundle).
  { entryPoints: ['src/cli/cpuWorker.ts'], outfile: 'dist/cpu-worker.js', platform: 'node' },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node' },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser' },
  { entryPoints: ['webview/compute/worker.ts'], outfile: 'dist/attention-worker.js', platform: 'browser' },
  // Load Checkpoint…'s forward pass, in a worker thread of the extension host.
  { entryPoints: ['src/extension/modelWorker.ts'], outfile: 'dist/model-worker.js', platform: 'node' },
];

// `npm run bench` bundles its attention part so that the CPU pool can start worker threads.
if (process.argv.includes('--bench')) {
  targets.length = 0;
  targets.push({ entryPoints: ['test/bench/attention.bench.ts'], outfile: 'dist/test/bench-attention.js', platform: 'node', external: ['gpu.js', 'webgpu', '@tensorflow/*'] });
  targets.push({ entryPoints: ['test/bench/blocksparse.bench.ts'], outfile: 'dist/test/bench-blocksparse.js', platform: 'node' });
  targets.push({ entryPoints: ['src/cli/cpuWorker.ts'], outfile: 'dist/test/cpu-worker.js', platform: 'node' });
}

/** esbuild options for one target; tests bundle with exactly these to run what ships. */
function optionsFor(target, { production: minified = production } = {}) {
  return {
    bundle: true,
    format: target.platform === 'node' ? 'cjs' : 'iife',
    target: target.platform === 'node' ? 'node20' : 'chrome120',
    sourcemap: !minified,
    minify: minified,
    external: ['vscode'],
    logLevel: 'warning',
    ...target,
  };
}

async function main() {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(optionsFor(t))));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

module.exports = { targets, optionsFor };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
