// `npm run mutate`: mutation testing of all of src/core, part by part (partition.mjs), then one score
// over every part; fails below the break threshold of stryker.config.mjs. Checks first that the parts
// cover every file the main config would mutate, and no file twice.
//   node test/mutation/run-all.mjs [--only part,part] [--report-only] [stryker options, e.g. --concurrency 1]
// --report-only adds up the parts' last reports without running Stryker.
import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { fileURLToPath } from 'url';
import main from './stryker.config.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PARTS = ['patterns', 'npy', 'masks', 'analysis', 'attention'];

/** A Stryker/minimatch-style glob (`**`, `*`) as a RegExp over repository paths. */
function globRegExp(glob) {
  let out = '';
  for (let x = 0; x < glob.length; x++) {
    if (glob.startsWith('**/', x)) {
      out += '(?:.*/)?';
      x += 2;
    } else if (glob[x] === '*') out += '[^/]*';
    else out += glob[x].replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** The files a mutate list selects (`!` entries exclude), among `files`. */
function selected(mutate, files) {
  const include = mutate.filter((g) => !g.startsWith('!')).map(globRegExp);
  const exclude = mutate.filter((g) => g.startsWith('!')).map((g) => globRegExp(g.slice(1)));
  return files.filter((f) => include.some((r) => r.test(f)) && !exclude.some((r) => r.test(f)));
}

function filesUnder(dir) {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    return statSync(join(ROOT, path)).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Killed, survived, ... per status over the files of one mutation.json. */
function countStatuses(report) {
  const counts = {};
  for (const file of Object.values(report.files)) for (const m of file.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  return counts;
}

/** Stryker's score: detected (killed or timed out) over valid mutants (not ignored, compiling). */
function score(counts) {
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return { detected, valid, percent: valid ? (100 * detected) / valid : 100 };
}

async function run() {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1].split(',') : PARTS;
  const reportOnly = args.includes('--report-only');
  const strykerArgs = args.filter((a) => a !== '--report-only');

  const files = filesUnder('src/core');
  const all = selected(main.mutate, files);
  const configs = new Map();
  for (const part of PARTS) configs.set(part, (await import(`./stryker.${part}.config.mjs`)).default);
  const owner = new Map();
  for (const [part, config] of configs) {
    for (const file of selected(config.mutate, files)) {
      if (owner.has(file)) throw new Error(`${file} is in two parts: ${owner.get(file)} and ${part}`);
      owner.set(file, part);
    }
  }
  const missing = all.filter((f) => !owner.has(f));
  if (missing.length) throw new Error(`no part mutates ${missing.join(', ')}: add them to a part's mutate list`);

  if (!reportOnly) {
    for (const part of only) {
      console.log(`\n== mutation testing, part "${part}" ==`);
      const result = spawnSync('npx', ['stryker', 'run', `test/mutation/stryker.${part}.config.mjs`, ...strykerArgs], { cwd: ROOT, stdio: 'inherit' });
      if (result.status !== 0) throw new Error(`stryker exited with ${result.status} on part ${part}`);
    }
  }

  console.log('\npart        score   detected / valid   survived  no coverage');
  const total = {};
  for (const [part, config] of configs) {
    const path = join(ROOT, config.jsonReporter.fileName);
    if (!existsSync(path)) {
      console.log(`${part.padEnd(10)}  not run (no ${relative(ROOT, path)})`);
      total.NotRun = (total.NotRun ?? 0) + 1;
      continue;
    }
    const counts = countStatuses(JSON.parse(readFileSync(path, 'utf8')));
    for (const [status, count] of Object.entries(counts)) total[status] = (total[status] ?? 0) + count;
    const s = score(counts);
    console.log(`${part.padEnd(10)} ${s.percent.toFixed(2).padStart(6)}%  ${String(s.detected).padStart(8)} / ${String(s.valid).padEnd(6)}  ${String(counts.Survived ?? 0).padStart(8)}  ${String(counts.NoCoverage ?? 0).padStart(11)}`);
  }
  const s = score(total);
  console.log(`src/core   ${s.percent.toFixed(2).padStart(6)}%  ${String(s.detected).padStart(8)} / ${s.valid}   (ignored: ${total.Ignored ?? 0}, static or marked equivalent)`);
  // Stryker counts a timeout as detected (most are loops a mutant made endless), but load can cause one.
  const timeouts = total.Timeout ?? 0;
  console.log(`timeouts counted as detected: ${timeouts}; were none real, the score would be ${((100 * (s.detected - timeouts)) / s.valid).toFixed(2)}%`);
  if (total.NotRun) throw new Error(`${total.NotRun} part(s) have no report: run them first`);
  if (s.percent < main.thresholds.break) throw new Error(`mutation score ${s.percent.toFixed(2)}% is below the break threshold ${main.thresholds.break}%`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  run().catch((e) => {
    console.error(`mutate: ${e.message}`);
    process.exit(1);
  });
}
