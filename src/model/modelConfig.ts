/** What a Hugging Face `config.json` says plainly: architecture, layers, heads, head dim. No guessing from tensor names. */

export interface ModelSummary {
  architecture?: string;
  modelType?: string;
  layers?: number;
  heads?: number;
  /** Key/value heads when fewer than the query heads (grouped-query attention). */
  kvHeads?: number;
  hidden?: number;
  headDim?: number;
  /** Where the facts come from (config.json unless said). */
  source?: 'config.json' | 'GGUF metadata';
}

const first = (config: Record<string, unknown>, keys: string[]): number | undefined => {
  for (const key of keys) {
    const value = config[key];
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  }
  return undefined;
};

/** Reads the keys GPT-2, BERT, Llama, GPT-NeoX and most Hugging Face configs use; unknown keys leave fields empty. */
export function summarizeConfig(text: string): ModelSummary {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return {};
  const c = config as Record<string, unknown>;
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a): a is string => typeof a === 'string') : [];
  const heads = first(c, ['num_attention_heads', 'n_head', 'num_heads']);
  const hidden = first(c, ['hidden_size', 'n_embd', 'd_model']);
  const kvHeads = first(c, ['num_key_value_heads']);
  const headDim = first(c, ['head_dim']) ?? (heads && hidden && hidden % heads === 0 ? hidden / heads : undefined);
  return {
    architecture: architectures[0],
    modelType: typeof c.model_type === 'string' ? c.model_type : undefined,
    layers: first(c, ['num_hidden_layers', 'n_layer', 'num_layers']),
    heads,
    kvHeads: kvHeads !== undefined && kvHeads !== heads ? kvHeads : undefined,
    hidden,
    headDim,
  };
}
