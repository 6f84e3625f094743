/** `sparse-attn`: the pattern engine for scripts and CI. User mistakes exit 2 with one line. */
import { ConfigError, NpyError, TooLargeError } from '../core';
import { UsageError } from './args';
import { diffCommand, maskCommand, statsCommand } from './commands';

const USAGE = `usage: sparse-attn <command> [flags]
  mask   <pattern flags> [--format npy|json|png] [--layout] --out FILE
  stats  <pattern flags> [--d 64] [--json]
  diff   --mask theirs.npy <pattern flags>
pattern flags: --pattern fixed|strided|local|dense|lra-fixed|fairseq-fixed|jukebox-summary|openai-fixed|deepspeed-fixed
  --n --heads; fixed family: --stride --c --subblocks --mode merged|split|interleaved --layer --bidirectional
  openai-fixed: --block --stride --num-verts --vertsize; deepspeed-fixed: --block --num-local-blocks
  --num-global-blocks --attention unidirectional|bidirectional --horizontal-global --different-layout-per-head
  --num-different-global-patterns`;

const COMMANDS: Record<string, (argv: string[], print: (line: string) => void) => number> = {
  mask: maskCommand,
  stats: statsCommand,
  diff: diffCommand,
};

export function run(argv: string[], print: (line: string) => void, printError: (line: string) => void): number {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    print(USAGE);
    return command ? 0 : 2;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    printError(`sparse-attn: unknown command "${command}"; use one of ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  try {
    return handler(rest, print);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof NpyError || e instanceof TooLargeError) {
      printError(`sparse-attn ${command}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), (l) => console.log(l), (l) => console.error(l));
}
