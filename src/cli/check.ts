/**
 * `sparse-attn check FILES_OR_FOLDERS... [--json]`: a linter for CI. Every config found in *.py
 * and ds_config*.json files (src/code), and every problem as `path:line:col error: message`,
 * the format VS Code's problem matchers read. Exit 1 when a config is invalid.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { basename, join } from 'path';
import { patternSpec } from '../core';
import { ConfigFinding, findConfigsInJson, findConfigsInPython, findingDensity } from '../code';
import { UsageError } from './args';

type Print = (line: string) => void;

const USAGE = 'check takes FILES_OR_FOLDERS... [--json]';
const isDsConfig = (name: string) => /^ds_config.*\.json$/.test(name);
/** Folders never worth walking: dependencies and hidden ones (.git, .venv, …). */
const skipFolder = (name: string) => name === 'node_modules' || name.startsWith('.');

export function checkCommand(argv: string[], print: Print): number {
  const json = argv.includes('--json');
  const paths = argv.filter((a) => a !== '--json');
  const flag = paths.find((a) => a.startsWith('--'));
  if (flag) throw new UsageError(`unknown flag ${flag}; ${USAGE}`);
  if (!paths.length) throw new UsageError(`no file or folder given; ${USAGE} (e.g. sparse-attn check src/ ds_config.json)`);
  const files = paths.flatMap(filesToCheck);
  const results = files.map((path) => ({ path, findings: findConfigs(path) }));
  const invalid = results.reduce((sum, r) => sum + r.findings.filter((f) => f.issues.length).length, 0);
  if (json) {
    const findings = results.flatMap(({ path, findings }) => findings.map((f) => ({ path, ...f, density: densityValue(f) })));
    print(JSON.stringify(findings, null, 2));
  } else {
    for (const { path, findings } of results) {
      for (const finding of findings) {
        print(`${where(path, finding.range.start)} ${finding.preset} ${configText(finding)} density ${densityText(finding)}`);
        for (const issue of finding.issues) print(`${where(path, issue.range.start)} error: ${issue.message}`);
      }
    }
    const count = results.reduce((sum, r) => sum + r.findings.length, 0);
    print(`checked ${files.length} file${files.length === 1 ? '' : 's'}: ${count} config${count === 1 ? '' : 's'}, ${invalid} invalid`);
  }
  return invalid ? 1 : 0;
}

/** A file as given (any .py or .json), or a folder's *.py and ds_config*.json, sorted. */
function filesToCheck(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new UsageError(`no such file or folder: ${path}`);
  }
  if (stat.isDirectory()) {
    return readdirSync(path, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((entry) => {
        if (entry.isDirectory()) return skipFolder(entry.name) ? [] : filesToCheck(join(path, entry.name));
        return entry.isFile() && (entry.name.endsWith('.py') || isDsConfig(entry.name)) ? [join(path, entry.name)] : [];
      });
  }
  if (!path.endsWith('.py') && !path.endsWith('.json')) throw new UsageError(`${path} is neither a .py nor a .json file; ${USAGE}`);
  return [path];
}

function findConfigs(path: string): ConfigFinding[] {
  let text: string;
  try {
    // A byte-order mark is no character of the document: columns count as editors count them.
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return path.endsWith('.json') || isDsConfig(basename(path)) ? findConfigsInJson(text) : findConfigsInPython(text);
}

/** 1-based line and column, as problem matchers and editors count them. */
const where = (path: string, at: { line: number; character: number }) => `${path}:${at.line + 1}:${at.character + 1}`;

/** Every parameter of the preset, `?` where the source does not say it. */
function configText(finding: ConfigFinding): string {
  const values = finding.config as unknown as Record<string, unknown>;
  return patternSpec(finding.preset)
    .params.map((p) => `${p.key}=${finding.unresolved.includes(p.key) ? '?' : Array.isArray(values[p.key]) ? `[${(values[p.key] as number[]).join(',')}]` : values[p.key]}`)
    .join(' ');
}

function densityText(finding: ConfigFinding): string {
  const density = findingDensity(finding);
  return density.known ? `${(100 * density.density).toFixed(2)}%` : '?';
}

function densityValue(finding: ConfigFinding): { value: number; against: string } | { value: null; reason: string } {
  const density = findingDensity(finding);
  return density.known ? { value: density.density, against: density.against } : { value: null, reason: density.reason };
}
