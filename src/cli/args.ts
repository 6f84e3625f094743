/** Command-line flags: parsing, and turning pattern flags into a config with one-line errors. */
import { defaultConfig, PATTERN_NAMES, PatternConfig, PatternName, patternSpec } from '../core';

/** A user mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Flags = Map<string, string | true>;

/** Switches: the presets' boolean parameters and the commands' own. */
const BOOLEAN_FLAGS = new Set([
  ...PATTERN_NAMES.flatMap((name) => patternSpec(name).params.filter((p) => p.kind === 'boolean').map((p) => p.flag)),
  'layout',
  'json',
  'help',
  'verbose',
  'coverage',
]);

export function parseFlags(argv: string[], known: readonly string[]): Flags {
  const flags: Flags = new Map();
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}": flags look like --name value`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (!known.includes(name)) throw new UsageError(`unknown flag --${name}; known flags: ${known.map((f) => `--${f}`).join(' ')}`);
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    if (BOOLEAN_FLAGS.has(name)) {
      // --flag=false must not mean true: only =true and =false are read, anything else is refused.
      if (inline === undefined || inline === 'true') flags.set(name, true);
      else if (inline !== 'false') throw new UsageError(`--${name} is a switch: give it alone, or as --${name}=true / --${name}=false (got "${inline}")`);
    } else {
      const value = inline ?? argv[++k];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return flags;
}

/** Which flags each preset reads (from its spec), so that a flag that would be silently ignored is an error instead. */
const PATTERN_FLAGS: Record<string, readonly string[]> = Object.fromEntries(
  PATTERN_NAMES.map((name) => {
    const spec = patternSpec(name);
    const flags = spec.params.filter((p) => p.key !== 'n' && p.key !== 'heads').map((p) => p.flag);
    return [name, spec.layout ? [...flags, 'layout'] : flags];
  }),
);
export const ALL_PATTERN_FLAGS = ['pattern', 'n', 'heads', ...new Set(Object.values(PATTERN_FLAGS).flat())];

/** The pattern flags of every preset, for the usage text. */
export function patternFlagsUsage(): string {
  return PATTERN_NAMES.map((name) => `  ${name}: ${PATTERN_FLAGS[name].map((f) => `--${f}`).join(' ') || '(n and heads only)'}`).join('\n');
}

function integer(flags: Flags, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (raw === true || !/^-?\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer (got "${raw}")`);
  return Number(raw);
}

/** "4,8" or "4 8" (an empty value is an empty list: Python's None where the parameter allows it). */
function integers(flags: Flags, name: string, fallback: number[]): number[] {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const parts = String(raw).split(/[\s,]+/).filter(Boolean);
  if (!parts.every((p) => /^-?\d+$/.test(p))) throw new UsageError(`--${name} takes integers separated by commas, e.g. --${name} 4,8 (got "${raw}")`);
  return parts.map(Number);
}

/** Pattern flags to a config; `inferred` fills n and heads from an input file when not given. */
export function configFromFlags(flags: Flags, inferred: { n?: number; heads?: number } = {}): PatternConfig {
  const raw = flags.get('pattern');
  const pattern = (typeof raw === 'string' ? raw : 'fixed') as PatternName;
  if (!PATTERN_NAMES.includes(pattern)) throw new UsageError(`unknown --pattern "${pattern}"; choose one of ${PATTERN_NAMES.join(', ')}`);
  const allowed = PATTERN_FLAGS[pattern];
  for (const name of flags.keys()) {
    if (ALL_PATTERN_FLAGS.includes(name) && !['pattern', 'n', 'heads'].includes(name) && !allowed.includes(name)) {
      const owners = PATTERN_NAMES.filter((p) => PATTERN_FLAGS[p].includes(name));
      throw new UsageError(`--${name} does not apply to --pattern ${pattern} (it is for ${owners.join(', ')})`);
    }
  }
  const config = defaultConfig(pattern) as unknown as Record<string, unknown>;
  for (const param of patternSpec(pattern).params) {
    const fallback = config[param.key];
    if (param.key === 'n' || param.key === 'heads') config[param.key] = integer(flags, param.flag, inferred[param.key] ?? (fallback as number));
    else if (param.kind === 'integer') config[param.key] = integer(flags, param.flag, fallback as number);
    else if (param.kind === 'boolean') config[param.key] = flags.has(param.flag);
    else if (param.kind === 'integers') config[param.key] = integers(flags, param.flag, fallback as number[]);
    else config[param.key] = typeof flags.get(param.flag) === 'string' ? flags.get(param.flag) : fallback;
  }
  return config as unknown as PatternConfig;
}
