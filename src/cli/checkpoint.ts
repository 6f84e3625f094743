/**
 * `sparse-attn checkpoint list PATH [--json]`: a checkpoint's format, model shape (from config.json)
 * and every tensor; `checkpoint attend PATH …` (checkpointAttend.ts): one layer's attention and coverage.
 */
import { elementCount, ModelSummary } from '../model';
import { parseFlags, UsageError } from './args';
import { OpenFiles, openCheckpointPath } from '../checkpointFiles';
import { checkpointAttendCommand } from './checkpointAttend';

type Print = (line: string) => void;

export async function checkpointCommand(argv: string[], print: Print): Promise<number> {
  const [action, path, ...rest] = argv;
  if (action !== 'list' && action !== 'attend') throw new UsageError(`checkpoint needs an action: checkpoint list PATH [--json], or checkpoint attend PATH --text "…" --layer K (got ${action ? `"${action}"` : 'nothing'})`);
  if (!path || path.startsWith('--')) throw new UsageError(`checkpoint ${action} needs PATH: a weights file (.safetensors, .pt, .bin, .pth, .npz, .npy, .pkl, .gguf, .onnx) or a model folder`);
  if (action === 'attend') return checkpointAttendCommand(path, rest, print);
  const flags = parseFlags(rest, ['json']);
  const files = new OpenFiles();
  try {
    const { checkpoint, files: weightFiles, model } = await openCheckpointPath(path, files);
    // storedAs: a GGUF quantization (read as dtype); refused: why reading that tensor is refused.
    const tensors = checkpoint.tensors.map(({ name, dtype, shape, storedAs, refused }) => ({ name, dtype, shape, ...(storedAs ? { storedAs } : {}), ...(refused ? { refused } : {}) }));
    const parameters = checkpoint.tensors.reduce((sum, t) => sum + elementCount(t.shape), 0);
    if (flags.has('json')) {
      print(JSON.stringify({ path, format: checkpoint.format, files: weightFiles, model: model ?? null, metadata: checkpoint.metadata ?? null, parameters, bytesRead: checkpoint.bytesRead(), tensors }, null, 2));
      return 0;
    }
    print(`${path}: ${checkpoint.format} (${weightFiles.join(', ')})`);
    print(`model: ${modelLine(model)}`);
    if (checkpoint.metadata) print(`metadata: ${Object.entries(checkpoint.metadata).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    print(`${tensors.length} tensors, ${parameters.toLocaleString('en-US')} elements; read ${checkpoint.bytesRead().toLocaleString('en-US')} bytes`);
    const width = Math.max(4, ...tensors.map((t) => t.name.length)) + 2;
    const dtypeWidth = Math.max(5, ...tensors.map((t) => dtypeText(t).length)) + 2;
    print(`${'name'.padEnd(width)}${'dtype'.padEnd(dtypeWidth)}shape`);
    for (const t of tensors) print(`${t.name.padEnd(width)}${dtypeText(t).padEnd(dtypeWidth)}[${t.shape.join(', ')}]${t.refused ? '  (not read: a quantization the inspector does not dequantize)' : ''}`);
    return 0;
  } finally {
    await files.close();
  }
}

/** F16; Q8_0→F32 for a quantization read as float32; Q4_0 alone for one that is not read. */
function dtypeText(t: { dtype: string; storedAs?: string; refused?: string }): string {
  if (!t.storedAs) return t.dtype;
  return t.refused ? t.storedAs : `${t.storedAs}→${t.dtype}`;
}

function modelLine(model: ModelSummary | undefined): string {
  if (!model) return 'no config.json beside the weights (architecture not detected)';
  const parts = [model.architecture ?? model.modelType ?? 'unknown architecture'];
  if (model.architecture && model.modelType) parts[0] += ` (${model.modelType})`;
  if (model.layers) parts.push(`${model.layers} layers`);
  if (model.heads) parts.push(`${model.heads} heads${model.kvHeads ? ` (${model.kvHeads} key/value)` : ''}`);
  if (model.headDim) parts.push(`head dim ${model.headDim}`);
  if (model.hidden) parts.push(`hidden ${model.hidden}`);
  return `${parts.join(', ')} (${model.source ?? 'config.json'})`;
}
