// Bundles the extension host, the webview and the CLI. `node esbuild.js --watch` rebuilds on change.
const esbuild = require('esbuild');
const { writeKernel } = require('./test/tools/wasm-kernel');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const targets = [
  // gpu.js and webgpu stay outside the CLI bundle: they load native or worker files at run time.
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', banner: { js: '#!/usr/bin/env node' }, external: ['vscode', 'gpu.js', 'webgpu'] },
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node' },
  { entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser' },
  { entryPoints: ['webview/compute/worker.ts'], outfile: 'dist/attention-worker.js', platform: 'browser' },
];

// `npm run bench` bundles its attention part so that the CPU pool can start worker threads.
if (process.argv.includes('--bench')) {
  targets.length = 0;
  targets.push({ entryPoints: ['test/bench/attention.bench.ts'], outfile: 'dist/test/bench-attention.js', platform: 'node', external: ['gpu.js', 'webgpu', '@tensorflow/*'] });
}

async function main() {
  await writeKernel();
  const contexts = await Promise.all(
    targets.map((t) =>
      esbuild.context({
        bundle: true,
        format: t.platform === 'node' ? 'cjs' : 'iife',
        target: t.platform === 'node' ? 'node20' : 'chrome120',
        sourcemap: !production,
        minify: production,
        external: ['vscode'],
        logLevel: 'warning',
        ...t,
      }),
    ),
  );
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
