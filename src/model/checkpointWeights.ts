/** An opened checkpoint (any format the readers know) as the forward pass's WeightProvider. */
import type { OpenedCheckpoint } from './types';
import type { WeightProvider } from './weights';
import { ModelError } from './weights';

export function weightsOf(checkpoint: Pick<OpenedCheckpoint, 'tensors' | 'read'>): WeightProvider {
  const shapes = new Map(checkpoint.tensors.map((t) => [t.name, t.shape]));
  return {
    names: () => [...shapes.keys()],
    shape: (name) => {
      const shape = shapes.get(name);
      if (!shape) throw new ModelError(`no tensor named ${name} in the checkpoint`);
      return [...shape];
    },
    read: (name) => checkpoint.read(name),
  };
}
