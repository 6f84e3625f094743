/** The CLI exactly as `npm run package` builds it (minified), once per test process. */
import { strict as assert } from 'assert';
import { build } from 'esbuild';
import { readFileSync } from 'fs';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '../..');
export const PRODUCTION_CLI = join(ROOT, 'dist/test/production/cli.js');
let built: Promise<string> | undefined;

export function productionCli(): Promise<string> {
  return (built ??= (async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { targets, optionsFor } = require('../../esbuild.js');
    const cli = targets.find((t: { outfile: string }) => t.outfile === 'dist/cli.js');
    await build({ ...optionsFor(cli, { production: true }), outfile: PRODUCTION_CLI, absWorkingDir: ROOT });
    // Its CPU worker threads' bundle, beside it as in dist/.
    const worker = targets.find((t: { outfile: string }) => t.outfile === 'dist/cpu-worker.js');
    await build({ ...optionsFor(worker, { production: true }), outfile: join(PRODUCTION_CLI, '../cpu-worker.js'), absWorkingDir: ROOT });
    // Minified for real: our own function names are gone from the bundle.
    assert.ok(!readFileSync(PRODUCTION_CLI, 'utf8').includes('attendWithFallback'), 'the test CLI is the minified production build');
    return PRODUCTION_CLI;
  })());
}
