/**
 * `sparse-attn checkpoint attend PATH (--text "…" | --tokens 1,2,3) --layer K [pattern flags]`:
 * a real model's Q/K/V for one layer (the forward pass in src/model), its own attention, the
 * attention under the pattern, and how much of the model's attention mass the pattern keeps.
 */
import { encodeNpy, isCausal } from '../core';
import { attentionOutput, forwardInputs, LayerQkv, loadModel, modelTokenizer, patternAttention, projectQkv, UnknownArchitectureError, weightsOf } from '../model';
import { coverageLines, patternLabel, underPattern } from '../model/layerReport';
import { CheckpointOnDisk, OpenFiles, openCheckpointPath } from '../checkpointFiles';
import { ALL_PATTERN_FLAGS, configFromFlags, Flags, parseFlags, UsageError } from './args';
import { readNpyFile } from './npyInputs';
import { checkOutputPaths, writeAtomically } from './outputs';
import { npyToFloat32 } from '../core';

type Print = (line: string) => void;

const FLAGS = [...ALL_PATTERN_FLAGS, 'text', 'tokens', 'layer', 'probs', 'out', 'dense-probs', 'coverage', 'json', 'q', 'k', 'v', 'qkv', 'input'];

export async function checkpointAttendCommand(path: string, argv: string[], print: Print): Promise<number> {
  const flags = parseFlags(argv, FLAGS);
  const outputs = (['probs', 'out', 'dense-probs'] as const).flatMap((flag) => {
    const value = flags.get(flag);
    if (value === true) throw new UsageError(`--${flag} needs a file name`);
    return value === undefined ? [] : [{ flag, path: value }];
  });
  checkOutputPaths(outputs, { npy: true });
  const layer = integerFlag(flags, 'layer');
  if (layer === undefined) throw new UsageError('checkpoint attend needs --layer K (0 is the first layer)');
  const files = new OpenFiles();
  try {
    const opened = await openCheckpointPath(path, files);
    const tokenizer = modelTokenizer(opened.tokenizerJson, opened.tokenizerOptions);
    const tokens = tokensFrom(flags, tokenizer.encode);
    const qkv = await layerQkv(flags, opened, tokens, layer);
    // --layer is the model's layer, and so the pattern's layer r where it has one (interleaved mode).
    const patternFlags = new Map(flags);
    patternFlags.delete('layer');
    const fromFlags = configFromFlags(patternFlags, { n: tokens.length, heads: qkv.heads });
    const requested = ('layer' in fromFlags ? { ...fromFlags, layer } : fromFlags) as typeof fromFlags;
    // --pattern dense is the model's own attention: its direction follows the model.
    if (requested.n !== tokens.length) throw new UsageError(`--n ${requested.n} differs from the ${tokens.length} tokens; leave --n out (n is the token count)`);
    const config = flags.get('pattern') === 'dense' && !qkv.causal ? { ...requested, bidirectional: true } : requested;
    const layerResult = underPattern(qkv, config);
    const sparse = outputs.some((o) => o.flag !== 'dense-probs') ? patternAttention(qkv, layerResult.mask) : undefined;
    const { n, heads, headDim } = qkv;
    for (const { flag, path: file } of outputs) {
      if (flag === 'dense-probs') writeAtomically(file, encodeNpy('<f4', [heads, n, n], layerResult.dense.probs));
      if (flag === 'probs') writeAtomically(file, encodeNpy('<f4', [heads, n, n], sparse!.probs));
      if (flag === 'out') writeAtomically(file, encodeNpy('<f4', [heads, n, headDim], attentionOutput(sparse!, qkv.v, headDim)));
    }
    const lines = coverageLines(layerResult.coverage, layerResult.pattern);
    // A causal pattern on a bidirectional model (BERT) hides half its attention: said, not silent.
    const note = !qkv.causal && isCausal(layerResult.pattern) ? 'the model attends both ways but the pattern is causal: add --bidirectional to compare like with like' : undefined;
    if (flags.has('json')) {
      print(
        JSON.stringify(
          {
            path,
            format: opened.checkpoint.format,
            model: opened.model ?? null,
            layer,
            tokens,
            tokenizer: tokenizer.source,
            n,
            heads,
            kvHeads: qkv.kvHeads,
            headDim,
            causal: qkv.causal,
            pattern: layerResult.pattern,
            patternCausal: isCausal(layerResult.pattern),
            coverage: layerResult.coverage,
            note: note ?? null,
            bytesRead: opened.checkpoint.bytesRead(),
          },
          null,
          2,
        ),
      );
      return 0;
    }
    const model = opened.model?.architecture ?? opened.model?.modelType ?? 'model';
    print(`${path}: ${model}, layer ${layer} of ${opened.model?.layers ?? '?'}, ${n} tokens (${tokenizer.source}), ${heads} heads${qkv.kvHeads !== heads ? ` (${qkv.kvHeads} key/value)` : ''}, head dim ${headDim}, ${qkv.causal ? 'causal' : 'bidirectional'}`);
    print(`pattern: ${patternLabel(layerResult.pattern)}`);
    for (const line of flags.has('coverage') ? lines : lines.slice(-1)) print(line);
    if (note) print(`note: ${note}`);
    for (const { flag, path: file } of outputs) print(`wrote --${flag} ${file}`);
    return 0;
  } finally {
    await files.close();
  }
}

function integerFlag(flags: Flags, name: string): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  if (raw === true || !/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a non-negative integer (got "${raw}")`);
  return Number(raw);
}

function tokensFrom(flags: Flags, encode: (text: string) => number[]): number[] {
  const text = flags.get('text');
  const ids = flags.get('tokens');
  if ((text === undefined) === (ids === undefined)) throw new UsageError('give the input as --text "…" or --tokens 1,2,3 (one of them)');
  if (text !== undefined) {
    if (text === true || !text.length) throw new UsageError('--text needs the text to run');
    return encode(text);
  }
  const parts = String(ids).split(/[\s,]+/).filter(Boolean);
  if (!parts.length || !parts.every((p) => /^\d+$/.test(p))) throw new UsageError(`--tokens takes token ids separated by commas, e.g. --tokens 464,3290 (got "${ids}")`);
  return parts.map(Number);
}

/**
 * The architecture's own forward pass, or (unknown architectures) the projections the user names
 * (as `checkpoint list` shows them) applied to --input.
 */
async function layerQkv(flags: Flags, opened: CheckpointOnDisk, tokens: number[], layer: number): Promise<LayerQkv> {
  const heads = integerFlag(flags, 'heads');
  const named = ['q', 'k', 'v', 'qkv'].filter((f) => flags.has(f));
  if (!named.length) {
    const { config, weights } = forwardInputs(opened.checkpoint, opened.configJson, opened.files[0]);
    const model = await loadModel(config, weights, heads ? { heads } : {}).catch((e) => {
      if (!(e instanceof UnknownArchitectureError)) throw e;
      throw new UnknownArchitectureError(`${e.message}. Name this layer's projections instead (\`sparse-attn checkpoint list\` shows the tensors): --q NAME --k NAME --v NAME or --qkv NAME, --heads H, and --input x.npy, the layer's input [n, d] after its norm`);
    });
    return model.qkvAt(tokens, layer);
  }
  const weights = weightsOf(opened.checkpoint);
  const name = (flag: string) => {
    const value = flags.get(flag);
    if (typeof value !== 'string') throw new UsageError(`--${flag} needs a tensor name`);
    return value;
  };
  const fused = flags.has('qkv');
  if (fused ? named.length !== 1 : named.length !== 3) throw new UsageError('name the projections as --q NAME --k NAME --v NAME, or one fused --qkv NAME');
  if (!heads) throw new UsageError('with --q/--k/--v or --qkv, give the head count: --heads H');
  const inputPath = flags.get('input');
  if (typeof inputPath !== 'string') throw new UsageError('with --q/--k/--v or --qkv, give the layer input (after its norm) as --input x.npy, [n, d]');
  const npy = readNpyFile(inputPath);
  if (npy.shape.length !== 2 || npy.shape[0] !== tokens.length) throw new UsageError(`${inputPath} has shape [${npy.shape.join(', ')}]; expected [${tokens.length}, d] (one row per token)`);
  const choice = fused ? { qkv: name('qkv') } : { q: name('q'), k: name('k'), v: name('v') };
  // Unknown architectures: causal unless the pattern flags say bidirectional.
  return projectQkv(weights, { ...choice, heads, causal: !flags.has('bidirectional'), layer }, npyToFloat32(npy), tokens.length);
}
