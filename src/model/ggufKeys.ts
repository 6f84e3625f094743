/** GGUF metadata read by key, typed, every refusal naming the key and the file. */
import type { GgufValue } from './types';
import { ModelError } from './weights';

/** Reads typed metadata, naming the key and the file in every refusal. */
export class GgufKeys {
  constructor(private readonly values: ReadonlyMap<string, GgufValue>, private readonly file: string) {}

  has(key: string): boolean {
    return this.values.has(key);
  }

  string(key: string): string | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new ModelError(`${this.file}: ${key} is ${describe(value)}, not a string`);
    return value;
  }

  /** A positive integer (u32, u64, …); an array (per-layer values) is refused. */
  count(key: string): number | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    const n = typeof value === 'bigint' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new ModelError(`${this.file}: ${key} is ${describe(value)}; the inspector needs one positive integer`);
    return n;
  }

  positive(key: string): number | undefined {
    const value = this.values.get(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw new ModelError(`${this.file}: ${key} is ${describe(value)}; expected a positive number`);
    return value;
  }

  required<T>(key: string, value: T | undefined): T {
    if (value === undefined) throw new ModelError(`${this.file} has no ${key}, which its architecture needs: is it a complete llama.cpp conversion?`);
    return value;
  }
}

const describe = (value: GgufValue) => (Array.isArray(value) ? `an array of ${value.length}` : JSON.stringify(typeof value === 'bigint' ? String(value) : value));
