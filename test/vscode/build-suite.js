'use strict';
// Bundles each test/vscode-suite/*.ts to dist/test/vscode-suite/*.js for the extension host.
// `vscode` is provided by the host; `mocha` stays external so the index and every test file
// share one copy, resolved at runtime from the repo's node_modules.
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'test/vscode-suite');
const OUT = path.join(ROOT, 'dist/test/vscode-suite');

async function main() {
  const entryPoints = fs.readdirSync(SRC).filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts')).map(f => path.join(SRC, f));
  fs.rmSync(OUT, { recursive: true, force: true });   // no stale *.test.js from deleted sources
  await esbuild.build({
    entryPoints, outdir: OUT, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'mocha'], sourcemap: 'inline', logLevel: 'warning',
  });
  console.log(`build-suite: ${entryPoints.length} file(s) -> ${path.relative(ROOT, OUT)}`);
}

main().catch(err => { console.error(err); process.exit(1); });
