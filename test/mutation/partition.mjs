// One part of src/core for `npm run mutate` (test/mutation/run-all.mjs): its files, and only the
// pure tests written for them, so that a mutant in a hot loop does not run every test that happens
// to pass through it. A part's score is a lower bound (the other tests could only kill more). Each
// part has its own incremental file, temp folder and reports, so parts can run side by side.
import main from './stryker.config.mjs';

export function partition(name, { mutate, tests, ...rest }) {
  return {
    ...main,
    mochaOptions: { ...main.mochaOptions, spec: tests.map((t) => `test/unit/${t}.test.ts`) },
    mutate,
    incrementalFile: `test-results/mutation/${name}/stryker-incremental.json`,
    tempDirName: `test-results/stryker-tmp-${name}`,
    htmlReporter: { fileName: `test-results/mutation/${name}/index.html` },
    jsonReporter: { fileName: `test-results/mutation/${name}/mutation.json` },
    // The threshold applies to the whole of src/core (run-all.mjs), not to a part.
    thresholds: { ...main.thresholds, break: null },
    ...rest,
  };
}
