/** An opened checkpoint (any format the readers know) as the forward pass's WeightProvider. */
import { ggufForward } from './ggufLlama';
import { readRowRangeOf } from './rows';
import type { OpenedCheckpoint } from './types';
import type { WeightProvider } from './weights';
import { ModelError } from './weights';

export function weightsOf(checkpoint: Pick<OpenedCheckpoint, 'tensors' | 'read' | 'readRowRange'>): WeightProvider {
  const shapes = new Map(checkpoint.tensors.map((t) => [t.name, t.shape]));
  return {
    names: () => [...shapes.keys()],
    shape: (name) => {
      const shape = shapes.get(name);
      if (!shape) throw new ModelError(`no tensor named ${name} in the checkpoint`);
      return [...shape];
    },
    read: (name) => checkpoint.read(name),
    readRowRange: (name, start, count) => readRowRangeOf(checkpoint, name, start, count),
  };
}

/**
 * What loadModel needs for a checkpoint: config.json (parsed, or undefined) and its weights; for a
 * GGUF file, the config its metadata gives and its tensors under Hugging Face's names (ggufLlama.ts).
 */
export function forwardInputs(checkpoint: OpenedCheckpoint, configJson: unknown, file: string): { config: unknown; weights: WeightProvider } {
  if (checkpoint.format === 'gguf') return ggufForward(checkpoint, file);
  return { config: configJson, weights: weightsOf(checkpoint) };
}
