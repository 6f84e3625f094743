/** The `sparse-attn` subcommands over the shared core. Each returns its exit code. */
import { extname } from 'path';
import {
  analyzePattern,
  buildPattern,
  checkMask,
  checkMaskJsonSize,
  encodeNpy,
  formatBytes,
  HeadStats,
  maskJsonChunks,
  npyToMask,
  toDense,
  torchSnippet,
} from '../core';
import { ALL_PATTERN_FLAGS, configFromFlags, parseFlags, UsageError } from './args';
import { checkOutputPaths, writeAtomically } from './outputs';
import { readNpyFile } from './npyInputs';
import { maskPng } from '../png';

type Print = (line: string) => void;

/** What each file ending means to `mask` (any case: `MASK.PNG` is a PNG). */
const FORMAT_OF_EXTENSION: Record<string, string> = { '.npy': 'npy', '.json': 'json', '.png': 'png', '.py': 'torch' };

/**
 * The format: --format, else the file's ending, else npy. A --format that contradicts a known
 * ending is refused: PNG bytes in `mask.npy` would only fail later, in someone else's np.load.
 */
function maskFormat(given: string | boolean | undefined, out: string | boolean | undefined): string {
  const extension = typeof out === 'string' ? extname(out).toLowerCase() : '';
  const byName = FORMAT_OF_EXTENSION[extension];
  if (given === undefined) return byName ?? 'npy';
  const format = String(given);
  if (!Object.values(FORMAT_OF_EXTENSION).includes(format)) throw new UsageError(`--format must be npy, json, png or torch (got "${format}")`);
  if (byName && byName !== format) throw new UsageError(`--format ${format} but --out ${out} ends in ${extension} (${byName}): drop --format, or end the name in .${format === 'torch' ? 'py' : format}`);
  return format;
}

export function maskCommand(argv: string[], print: Print): number {
  const flags = parseFlags(argv, [...ALL_PATTERN_FLAGS, 'format', 'out']);
  const out = flags.get('out');
  const format = maskFormat(flags.get('format'), out);
  const config = configFromFlags(flags);
  if (format === 'torch') {
    buildPattern(config); // validates: an impossible config gets its message, not a snippet
    const snippet = torchSnippet(config);
    if (typeof out === 'string') {
      checkOutputPaths([{ flag: 'out', path: out }]);
      writeAtomically(out, snippet);
      print(`wrote ${out} (PyTorch snippet: builds mask, bool [${config.heads}, ${config.n}, ${config.n}])`);
    } else print(snippet.trimEnd());
    return 0;
  }
  if (typeof out !== 'string') throw new UsageError('mask needs --out FILE (e.g. --out mask.npy), or --format torch to print a snippet');
  checkOutputPaths([{ flag: 'out', path: out }]);
  const mask = buildPattern(config);
  const wantLayout = flags.has('layout');
  let bytes: Uint8Array;
  let shape: number[];
  if (format === 'png') {
    bytes = maskPng(mask);
    shape = [mask.heads.length, mask.n, mask.n];
  } else if (format === 'json') {
    checkMaskJsonSize(mask, wantLayout);
    shape = wantLayout ? [mask.layout!.heads, mask.layout!.blocks, mask.layout!.blocks] : [mask.heads.length, mask.n, mask.n];
    let written = 0;
    const counted = (function* () {
      for (const chunk of maskJsonChunks(config, mask, wantLayout)) {
        written += Buffer.byteLength(chunk);
        yield chunk;
      }
    })();
    writeAtomically(out, counted);
    print(`wrote ${out} (json, ${wantLayout ? 'block layout' : 'token mask'} [${shape.join(', ')}], ${formatBytes(written)})`);
    for (const warning of mask.warnings) print(`warning: ${warning}`);
    return 0;
  } else if (wantLayout) {
    const layout = mask.layout!;
    shape = [layout.heads, layout.blocks, layout.blocks];
    bytes = encodeNpy('|u1', shape, layout.data);
  } else {
    shape = [mask.heads.length, mask.n, mask.n];
    bytes = encodeNpy('|u1', shape, toDense(mask));
  }
  writeAtomically(out, bytes);
  print(`wrote ${out} (${format}, ${wantLayout ? 'block layout' : 'token mask'} [${shape.join(', ')}], ${formatBytes(bytes.length)})`);
  for (const warning of mask.warnings) print(`warning: ${warning}`);
  return 0;
}

export function statsCommand(argv: string[], print: Print): number {
  const flags = parseFlags(argv, [...ALL_PATTERN_FLAGS, 'd', 'json']);
  const d = flags.has('d') ? Number(flags.get('d')) : 64;
  if (!Number.isInteger(d) || d < 1) throw new UsageError(`--d must be a positive integer head dimension (got "${flags.get('d')}")`);
  const config = configFromFlags(flags);
  const analysis = analyzePattern(config, d);
  if (flags.has('json')) {
    print(JSON.stringify({ config, ...analysis }, null, 2));
    return 0;
  }
  const { stats, reach } = analysis;
  print(`${config.pattern}: n=${stats.n}, ${stats.heads.length} heads, d=${d}; ${stats.storedElements} stored tiles/rules`);
  const table = [['head', 'nnz', 'vs causal', 'vs full', 'row min', 'row mean', 'row max', 'empty rows', 'GFLOP', 'vs dense causal']];
  stats.heads.forEach((s, h) => table.push(statsRow(String(h), s)));
  table.push(statsRow('union', stats.union));
  // Columns as wide as their widest cell (nnz at n = 2^20 has 12 digits), two spaces apart.
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)) + 2);
  for (const row of table) print(row.map((cell, c) => cell.padEnd(widths[c])).join('').trimEnd());
  const reachText = !reach.checked
    ? `not checked (${reach.reason})`
    : reach.ok
      ? 'every allowed pair connected'
      : `${reach.unreachablePairs} pairs unreachable, first (i=${reach.firstUnreachable![0]}, j=${reach.firstUnreachable![1]})`;
  print(`2-hop reachability (${analysis.reachSteps}): ${reachText}`);
  if (analysis.note) print(`note: ${analysis.note}`);
  for (const warning of analysis.warnings) print(`warning: ${warning}`);
  return 0;
}

function statsRow(label: string, s: HeadStats): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const cells = [label, String(s.nnz), pct(s.densityVsCausal), pct(s.densityVsFull), String(s.rowMin), s.rowMean.toFixed(1), String(s.rowMax), String(s.emptyRows)];
  cells.push((s.cost.flops / 1e9).toFixed(3), `${(s.denseCausalCost.flops / s.cost.flops).toFixed(1)}x less`);
  return cells;
}

export function diffCommand(argv: string[], print: Print): number {
  const flags = parseFlags(argv, [...ALL_PATTERN_FLAGS, 'mask']);
  const file = flags.get('mask');
  if (typeof file !== 'string') throw new UsageError('diff needs --mask FILE.npy (their mask, [H, n, n] or [n, n])');
  const theirs = readNpyFile(file);
  const shape = theirs.shape;
  if ((shape.length !== 2 && shape.length !== 3) || shape[shape.length - 1] !== shape[shape.length - 2]) {
    throw new UsageError(`${file} has shape [${shape}]; expected [H, n, n] or [n, n]`);
  }
  // Honour the header (Fortran order, any integer type): read as NumPy reads it, 0/1 only.
  const theirMask = npyToMask(theirs, file);
  const theirHeads = shape.length === 3 ? shape[0] : 1;
  const n = shape[shape.length - 1];
  const config = configFromFlags(flags, { n, heads: theirHeads });
  if (config.n !== n) throw new UsageError(`${file} is for n=${n} but --n is ${config.n}`);
  if (theirHeads !== 1 && theirHeads !== config.heads) throw new UsageError(`${file} has ${theirHeads} heads but --heads is ${config.heads}`);
  const check = checkMask(theirMask, theirHeads, config, buildPattern(config), file);
  for (const line of check.lines) print(line);
  return check.diff.identical ? 0 : 1;
}


