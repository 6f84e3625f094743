/**
 * Pasted embeddings and Q/K/V, held by the host so that the webview's per-render state carries
 * only a reference (Sequence.bulkId). One file in the extension's storage keeps the latest paste
 * across window reloads; it is written once per paste, atomically, and replaces the one before.
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
        writeAtomically(join(this.folder, `${PREFIX}${kept.bulkId}.json`), JSON.stringify(kept));
        for (const name of readdirSync(this.folder)) if (name.startsWith(PREFIX) && name !== `${PREFIX}${kept.bulkId}.json`) unlinkSync(join(this.folder, name));
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
      const saved = JSON.parse(readFileSync(join(this.folder, `${PREFIX}${id}.json`), 'utf8')) as unknown;
      return isSequence(saved) && saved.bulkId === id ? saved : undefined;
    } catch {
      return undefined;
    }
  }
}
