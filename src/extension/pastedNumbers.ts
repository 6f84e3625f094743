/**
 * Pasted embeddings and Q/K/V, held by the host so that the webview's per-render state carries
 * only a reference (Sequence.bulkId). One file in the extension's storage keeps the latest paste
 * across window reloads; it is written once per paste, atomically, and replaces the one before:
 * a JSON header (tokens, source, shapes) then the float32 tensors as raw bytes.
 */
import { randomUUID } from 'crypto';
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'fs';
import { join } from 'path';
import { writeAtomically } from '../atomicWrite';
import { InspectorState, isSequence, Sequence } from '../protocol';

const PREFIX = 'pasted-';

export class PastedNumbers {
  private latest: Sequence | undefined;

  /** `folder`: the extension's storage (workspace storage, else global); undefined keeps them in memory only. */
  constructor(
    private readonly folder: string | undefined,
    private readonly warn: (message: string) => void,
  ) {}

  /** Gives a sequence with pasted numbers its reference, keeps it, and saves it for reloads. */
  adopt(sequence: Sequence): Sequence {
    if (!sequence.embeddings && !sequence.qkv) return sequence;
    const kept = { ...sequence, bulkId: randomUUID() };
    this.latest = kept;
    if (this.folder) {
      try {
        mkdirSync(this.folder, { recursive: true });
        writeAtomically(join(this.folder, fileName(kept.bulkId)), encodeSequence(kept));
        for (const name of readdirSync(this.folder)) if (name.startsWith(PREFIX) && name !== fileName(kept.bulkId)) unlinkSync(join(this.folder, name));
      } catch (e) {
        this.warn(`pasted numbers kept in memory only (a window reload will drop them): ${(e as Error).message}`);
      }
    }
    return kept;
  }

  /**
   * The state with its pasted numbers put back: from memory, else from storage (a window reload).
   * Numbers that are gone leave the tokens and say so in the sequence's source.
   */
  complete(state: InspectorState): InspectorState {
    const id = state.sequence?.bulkId;
    if (!id || state.sequence?.embeddings || state.sequence?.qkv) return state;
    if (this.latest?.bulkId !== id) this.latest = this.load(id) ?? this.latest;
    if (this.latest?.bulkId === id) return { ...state, sequence: this.latest };
    const { tokens, source } = state.sequence!;
    return { ...state, sequence: { tokens, source: `${source}; its pasted numbers are gone (paste them again)` } };
  }

  private load(id: string): Sequence | undefined {
    if (!this.folder || !/^[\w-]{1,64}$/.test(id)) return undefined;
    try {
      const saved = decodeSequence(readFileSync(join(this.folder, fileName(id))));
      return isSequence(saved) && saved.bulkId === id ? saved : undefined;
    } catch {
      return undefined;
    }
  }
}

const fileName = (id: string) => `${PREFIX}${id}.bin`;

/** [u32 header bytes][header JSON][padding to 4][float32 tensors in the header's order]. */
function encodeSequence(sequence: Sequence): Uint8Array {
  const tensors = [sequence.embeddings?.values, sequence.qkv?.q, sequence.qkv?.k, sequence.qkv?.v].filter((t): t is Float32Array => t !== undefined);
  const header = {
    tokens: sequence.tokens,
    source: sequence.source,
    bulkId: sequence.bulkId,
    embeddings: sequence.embeddings && { dim: sequence.embeddings.dim },
    qkv: sequence.qkv && { heads: sequence.qkv.heads, d: sequence.qkv.d },
    model: sequence.model,
    lengths: tensors.map((t) => t.length),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((4 + json.length) / 4) * 4;
  const bytes = new Uint8Array(start + tensors.reduce((sum, t) => sum + t.byteLength, 0));
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 4);
  let at = start;
  for (const t of tensors) {
    bytes.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), at);
    at += t.byteLength;
  }
  return bytes;
}

/** The sequence a file holds, or undefined when it is not one (checked again by isSequence). */
function decodeSequence(file: Uint8Array): unknown {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(file.subarray(4, 4 + length))) as {
    tokens: string[];
    source: string;
    bulkId: string;
    embeddings?: { dim: number };
    qkv?: { heads: number; d: number };
    model?: unknown;
    lengths: number[];
  };
  let at = Math.ceil((4 + length) / 4) * 4;
  const tensors = header.lengths.map((count) => {
    if (at + count * 4 > file.length) throw new Error('truncated');
    // A copy, aligned for Float32Array whatever the Buffer's offset.
    const t = new Float32Array(new Uint8Array(file.subarray(at, at + count * 4)).buffer);
    at += count * 4;
    return t;
  });
  const sequence: Record<string, unknown> = { tokens: header.tokens, source: header.source, bulkId: header.bulkId };
  if (header.embeddings) sequence.embeddings = { dim: header.embeddings.dim, values: tensors.shift() };
  if (header.qkv) sequence.qkv = { heads: header.qkv.heads, d: header.qkv.d, q: tensors[0], k: tensors[1], v: tensors[2] };
  if (header.model) sequence.model = header.model;
  return sequence;
}
