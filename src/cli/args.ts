/** Command-line flags: parsing, and turning pattern flags into a config with one-line errors. */
import { defaultConfig, PATTERN_NAMES, PatternConfig, PatternName } from '../core';

/** A user mistake on the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Flags = Map<string, string | true>;

const BOOLEAN_FLAGS = new Set(['bidirectional', 'layout', 'horizontal-global', 'different-layout-per-head', 'json', 'help', 'verbose']);

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

/** Which flags each preset reads, so that a flag that would be silently ignored is an error instead. */
const PATTERN_FLAGS: Record<string, readonly string[]> = {
  factorized: ['stride', 'c', 'subblocks', 'mode', 'layer', 'bidirectional'],
  'openai-fixed': ['block', 'stride', 'num-verts', 'vertsize', 'layout'],
  'deepspeed-fixed': [
    'block',
    'num-local-blocks',
    'num-global-blocks',
    'attention',
    'horizontal-global',
    'different-layout-per-head',
    'num-different-global-patterns',
    'layout',
  ],
};
export const ALL_PATTERN_FLAGS = ['pattern', 'n', 'heads', ...new Set(Object.values(PATTERN_FLAGS).flat())];

function integer(flags: Flags, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  if (raw === true || !/^-?\d+$/.test(raw)) throw new UsageError(`--${name} must be an integer (got "${raw}")`);
  return Number(raw);
}

function text(flags: Flags, name: string, fallback: string): string {
  const raw = flags.get(name);
  return typeof raw === 'string' ? raw : fallback;
}

/** Pattern flags to a config; `inferred` fills n and heads from an input file when not given. */
export function configFromFlags(flags: Flags, inferred: { n?: number; heads?: number } = {}): PatternConfig {
  const pattern = text(flags, 'pattern', 'fixed') as PatternName;
  if (!PATTERN_NAMES.includes(pattern)) throw new UsageError(`unknown --pattern "${pattern}"; choose one of ${PATTERN_NAMES.join(', ')}`);
  const allowed = PATTERN_FLAGS[pattern] ?? PATTERN_FLAGS.factorized;
  for (const name of flags.keys()) {
    const owners = Object.entries(PATTERN_FLAGS)
      .filter(([, list]) => list.includes(name))
      .map(([owner]) => (owner === 'factorized' ? 'fixed and its relatives' : owner));
    if (owners.length && !allowed.includes(name)) throw new UsageError(`--${name} does not apply to --pattern ${pattern} (it is for ${owners.join(', ')})`);
  }
  const base = defaultConfig(pattern);
  const n = integer(flags, 'n', inferred.n ?? base.n);
  const heads = integer(flags, 'heads', inferred.heads ?? base.heads);
  if (base.pattern === 'openai-fixed') {
    return {
      ...base,
      n,
      heads,
      block: integer(flags, 'block', base.block),
      stride: integer(flags, 'stride', base.stride),
      numVerts: integer(flags, 'num-verts', base.numVerts),
      vertsize: integer(flags, 'vertsize', base.vertsize),
    };
  }
  if (base.pattern === 'deepspeed-fixed') {
    return {
      ...base,
      n,
      heads,
      block: integer(flags, 'block', base.block),
      numLocalBlocks: integer(flags, 'num-local-blocks', base.numLocalBlocks),
      numGlobalBlocks: integer(flags, 'num-global-blocks', base.numGlobalBlocks),
      attention: text(flags, 'attention', base.attention),
      horizontalGlobalAttention: flags.has('horizontal-global'),
      differentLayoutPerHead: flags.has('different-layout-per-head'),
      numDifferentGlobalPatterns: integer(flags, 'num-different-global-patterns', base.numDifferentGlobalPatterns),
    };
  }
  return {
    ...base,
    n,
    heads,
    stride: integer(flags, 'stride', base.stride),
    c: integer(flags, 'c', base.c),
    subblocks: integer(flags, 'subblocks', base.subblocks),
    mode: text(flags, 'mode', base.mode) as typeof base.mode,
    layer: integer(flags, 'layer', base.layer),
    bidirectional: flags.has('bidirectional'),
  };
}
