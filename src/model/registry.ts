/** The checkpoint formats, recognised by their first bytes (and, for zips, the file name). */
import { ggufFormat } from './gguf';
import { npyFormat, npzFormat } from './npz';
import { onnxFormat } from './onnx';
import { pickleFormat, pytorchLegacyFormat, pytorchZipFormat } from './pytorch';
import { safetensorsFormat } from './safetensors';
import { ByteSource, CheckpointError, CheckpointFormat, DEFAULT_LIMITS, OpenedCheckpoint, readRange, ReadLimits, SNIFF_BYTES } from './types';

/**
 * In sniffing order: the specific magic numbers first, then ONNX (no magic: a `.onnx` name whose
 * first byte is ir_version's tag, 0x08, which no other format starts with), the bare pickle (any PROTO) last.
 */
export const CHECKPOINT_FORMATS: CheckpointFormat[] = [ggufFormat, safetensorsFormat, pytorchLegacyFormat, npzFormat, pytorchZipFormat, npyFormat, onnxFormat, pickleFormat];

export function sniffFormat(head: Uint8Array, fileName: string): CheckpointFormat | undefined {
  return CHECKPOINT_FORMATS.find((f) => f.sniff(head, fileName));
}

export async function openCheckpointSource(source: ByteSource, limits: ReadLimits = DEFAULT_LIMITS): Promise<OpenedCheckpoint> {
  const head = await readRange(source, 0, Math.min(SNIFF_BYTES, source.size), 'the first bytes');
  const format = sniffFormat(head, source.name);
  if (!format) throw new CheckpointError(`${source.name} is not a checkpoint the inspector reads: ${unknownReason(head, source.name)}`);
  const opened = await format.open(source, limits);
  // The first bytes were read through the raw source, before the format's own counter.
  const counted = opened.bytesRead;
  return { ...opened, bytesRead: () => counted() + head.length };
}

function unknownReason(head: Uint8Array, name: string): string {
  if (head.length === 0) return 'the file is empty';
  if (/\.onnx$/i.test(name)) return `an ONNX model starts with its ir_version field (byte 0x08); this one starts with 0x${head[0].toString(16).padStart(2, '0')}: truncated, corrupt or not ONNX`;
  return 'its first bytes match none of safetensors, GGUF, PyTorch (zip or legacy), .npz, .npy or a pickle (ONNX models are recognised by the .onnx name)';
}
