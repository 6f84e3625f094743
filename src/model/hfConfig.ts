/**
 * A Hugging Face `config.json`, read by key with the spellings different model types use
 * (n_layer / num_hidden_layers, n_embd / hidden_size, …). A value of the wrong kind is an error
 * naming the key; a missing key is undefined, and the architecture decides the fallback.
 */
import { ModelError } from './weights';

export class HfConfig {
  private readonly raw: Record<string, unknown>;
  /** Whether there was a config.json at all. */
  readonly present: boolean;

  /** `config` is the parsed JSON, or undefined when the model has no config.json. */
  constructor(config: unknown) {
    if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) {
      throw new ModelError(`config.json must hold a JSON object; it holds ${Array.isArray(config) ? 'an array' : JSON.stringify(config)}`);
    }
    this.raw = (config ?? {}) as Record<string, unknown>;
    this.present = config !== undefined;
  }

  /** The value of the first of `keys` that is set (null counts as unset, as Hugging Face writes defaults). */
  private first(keys: readonly string[]): { key: string; value: unknown } | undefined {
    for (const key of keys) {
      const value = this.raw[key];
      if (value !== undefined && value !== null) return { key, value };
    }
    return undefined;
  }

  /** A positive integer (layers, heads, sizes). */
  count(...keys: string[]): number | undefined {
    const found = this.first(keys);
    if (!found) return undefined;
    if (typeof found.value !== 'number' || !Number.isInteger(found.value) || found.value < 1) {
      throw new ModelError(`config.json's ${found.key} is ${JSON.stringify(found.value)}; expected a positive integer`);
    }
    return found.value;
  }

  /** A positive finite number (epsilons, RoPE's theta). */
  positive(...keys: string[]): number | undefined {
    const found = this.first(keys);
    if (!found) return undefined;
    if (typeof found.value !== 'number' || !(found.value > 0) || !Number.isFinite(found.value)) {
      throw new ModelError(`config.json's ${found.key} is ${JSON.stringify(found.value)}; expected a positive number`);
    }
    return found.value;
  }

  string(...keys: string[]): string | undefined {
    const found = this.first(keys);
    if (!found) return undefined;
    if (typeof found.value !== 'string') throw new ModelError(`config.json's ${found.key} is ${JSON.stringify(found.value)}; expected a string`);
    return found.value;
  }

  flag(key: string, fallback: boolean): boolean {
    const found = this.first([key]);
    if (!found) return fallback;
    if (typeof found.value !== 'boolean') throw new ModelError(`config.json's ${key} is ${JSON.stringify(found.value)}; expected true or false`);
    return found.value;
  }

  /** Any value, for keys whose mere presence matters (rope_scaling). */
  value(key: string): unknown {
    return this.first([key])?.value;
  }
}
