/**
 * Which architecture a checkpoint is: config.json's model_type when there is one, else the name of
 * layer 0's attention weight (with any of the architecture's prefixes).
 */
import type { HfConfig } from '../hfConfig';
import { anonymousHint } from '../onnxNames';
import { ModelError, UnknownArchitectureError, WeightProvider } from '../weights';
import { bert } from './bert';
import { gpt2 } from './gpt2';
import { llama } from './llama';
import type { Architecture } from './network';
import { neox } from './neox';

export const ARCHITECTURES: readonly Architecture[] = [gpt2, llama, bert, neox];

const probesOf = (arch: Architecture) => arch.prefixes.map((prefix) => prefix + arch.probe);

/** The architecture and the name prefix its tensors carry; a ModelError saying what was looked for when none fits. */
export function recognize(config: HfConfig, weights: WeightProvider): { architecture: Architecture; prefix: string } {
  const names = new Set(weights.names());
  const prefixIn = (arch: Architecture) => arch.prefixes.find((prefix) => names.has(prefix + arch.probe));
  const modelType = config.string('model_type');
  if (modelType !== undefined) {
    const architecture = ARCHITECTURES.find((arch) => arch.modelTypes.includes(modelType));
    if (!architecture) {
      const known = ARCHITECTURES.flatMap((arch) => arch.modelTypes).join(', ');
      throw new UnknownArchitectureError(`config.json's model_type "${modelType}" is not one the forward pass runs (${known})`);
    }
    const prefix = prefixIn(architecture);
    if (prefix === undefined) {
      throw new ModelError(`config.json says ${modelType}, but the weights have no ${architecture.label} attention tensor: looked for ${probesOf(architecture).join(' or ')}${anonymousHint(names)}`);
    }
    return { architecture, prefix };
  }
  for (const architecture of ARCHITECTURES) {
    const prefix = prefixIn(architecture);
    if (prefix !== undefined) return { architecture, prefix };
  }
  const sought = ARCHITECTURES.map((arch) => `${arch.label} (${probesOf(arch).join(', ')})`).join('; ');
  const sample = [...names].slice(0, 5).join(', ');
  throw new UnknownArchitectureError(`unknown architecture: no tensor named like ${sought}; the checkpoint's first names are ${sample || '(none)'}${anonymousHint(names)}`);
}

export type { Architecture, ArchitectureName, ModelHints, ModelInfo, Network } from './network';
