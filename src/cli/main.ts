/** `sparse-attn`: the pattern engine for scripts and CI. User mistakes exit 2 with one line. */
import { ConfigError, NpyError, TooLargeError } from '../core';
import { CheckpointPathError } from '../checkpointFiles';
import { CheckpointError, ModelError } from '../model';
import { patternFlagsUsage, UsageError } from './args';
import { attendCommand } from './attend';
import { checkCommand } from './check';
import { checkpointCommand } from './checkpoint';
import { OutputError, outputsToStdout } from './outputs';
import { diffCommand, maskCommand, statsCommand } from './commands';
import { serveWorker } from './cpuPool';

const USAGE = `usage: sparse-attn <command> [flags]
  mask   <pattern flags> [--format npy|json|png|torch] [--layout] --out FILE  (torch: prints a PyTorch snippet)
  stats  <pattern flags> [--d 64] [--json]
  diff   --mask theirs.npy <pattern flags>
  attend --q q.npy --k k.npy --v v.npy <pattern flags> --out out.npy [--probs p.npy] [--lse lse.npy]
         [--backend auto|cpu|webasm|webgpu|webgl2] [--threads N]
  check  FILES_OR_FOLDERS... [--json]  (configs in *.py and ds_config*.json; exit 1 when one is invalid)
  checkpoint list PATH [--json]   (PATH: a weights file, a model folder, or a hub id in the Hugging Face cache)
  checkpoint attend PATH (--text "…" | --tokens 1,2,3) --layer K <pattern flags> [--coverage] [--json]
           [--probs p.npy] [--out o.npy] [--dense-probs d.npy]; unknown architectures: --q/--k/--v NAME
           or --qkv NAME, --heads H, --input x.npy ([n, d], the layer's input after its norm)
pattern flags: --pattern NAME --n N --heads H, and per pattern (lists as 4,8):
${patternFlagsUsage()}`;

type Command = (argv: string[], print: (line: string) => void) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  mask: maskCommand,
  stats: statsCommand,
  diff: diffCommand,
  attend: attendCommand,
  check: checkCommand,
  checkpoint: checkpointCommand,
};

export async function run(argv: string[], print: (line: string) => void, printError: (line: string) => void): Promise<number> {
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
    return await handler(rest, print);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof NpyError || e instanceof TooLargeError || e instanceof CheckpointError || e instanceof CheckpointPathError || e instanceof ModelError) {
      printError(`sparse-attn ${command}: ${e.message}`);
      return 2;
    }
    // The work was done, the file could not be written: one line, exit 1, the old file untouched.
    if (e instanceof OutputError) {
      printError(`sparse-attn ${command}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (!serveWorker() && require.main === module) {
  const argv = process.argv.slice(2);
  run(argv, outputsToStdout(argv) ? (l) => console.error(l) : (l) => console.log(l), (l) => console.error(l)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e instanceof Error && e.message === 'attention compute cancelled' ? 'sparse-attn: cancelled' : e);
      process.exitCode = e instanceof Error && e.message === 'attention compute cancelled' ? 130 : 1;
    },
  );
}
