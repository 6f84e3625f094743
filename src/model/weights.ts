import { anonymousHint } from './onnxNames';
import { gatherRows, rowLengthOf } from './rows';

/**
 * The one interface the forward pass reads weights through. The checkpoint readers (safetensors,
 * PyTorch, .npz, …) each provide it; tests build one over arrays in memory.
 */
export interface WeightProvider {
  /** Every tensor name in the checkpoint. */
  names(): string[];
  /** The tensor's shape, as stored (a Conv1D weight is [in, out], an nn.Linear weight [out, in]). */
  shape(name: string): number[];
  /** The tensor's values as float32, C order. */
  read(name: string): Promise<Float32Array>;
  /** Rows `start` .. `start + count - 1` of the first axis, reading only their bytes; absent: read whole. */
  readRowRange?(name: string, start: number, count: number): Promise<Float32Array>;
}

/** A model that cannot be read or run as asked: the message says what is wrong and what to do. */
export class ModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelError';
  }
}

/** No architecture the forward pass runs fits the checkpoint: its projections can still be named (projectQkv). */
export class UnknownArchitectureError extends ModelError {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownArchitectureError';
  }
}

/** A WeightProvider over arrays already in memory. */
export function weightsInMemory(tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>): WeightProvider {
  const get = (name: string) => {
    const tensor = tensors.get(name);
    if (!tensor) throw new ModelError(`no tensor named ${name}`);
    return tensor;
  };
  return {
    names: () => [...tensors.keys()],
    shape: (name) => [...get(name).shape],
    read: async (name) => get(name).data,
  };
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Reads the weights of one model, checking each tensor's presence, shape and value count, so that a
 * wrong or truncated checkpoint fails with the tensor's name, not deep inside a matmul.
 */
export class CheckedWeights {
  private readonly present: Set<string>;

  constructor(
    readonly weights: WeightProvider,
    /** The architecture, for messages ("… which GPT-2 needs"). */
    private readonly what: string,
  ) {
    this.present = new Set(weights.names());
  }

  /** The first of `names` the checkpoint holds (old and new spellings of one tensor), or the first name. */
  firstPresent(...names: string[]): string {
    return names.find((name) => this.present.has(name)) ?? names[0];
  }

  /** The stored shape of `name`, which must be there (sizes that config.json does not give). */
  shape(name: string): number[] {
    this.require(name);
    return this.weights.shape(name);
  }

  private require(name: string): void {
    if (!this.present.has(name)) throw new ModelError(`the checkpoint has no tensor ${name}, which ${this.what} needs; is it a complete ${this.what} checkpoint?${anonymousHint(this.present)}`);
  }

  private checkShape(name: string, shape: readonly number[]): void {
    const stored = this.weights.shape(name);
    if (stored.length !== shape.length || stored.some((size, axis) => size !== shape[axis])) {
      throw new ModelError(`${name} has shape ${shapeText(stored)}; ${this.what} needs ${shapeText(shape)} (check config.json against the weights)`);
    }
  }

  /** The tensor `name`, which must have exactly `shape`. */
  async read(name: string, shape: readonly number[]): Promise<Float32Array> {
    this.require(name);
    this.checkShape(name, shape);
    const data = await this.weights.read(name);
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new ModelError(`${name} holds ${data.length} values; its shape ${shapeText(shape)} needs ${count}`);
    return data;
  }

  /**
   * Rows of `name` (which must have exactly `shape`) in the order of `rows`, repeats allowed: an
   * embedding lookup reads its tokens' rows, not the whole table, where the format can address rows.
   */
  async rows(name: string, shape: readonly number[], rows: readonly number[], what = 'row'): Promise<Float32Array> {
    this.require(name);
    this.checkShape(name, shape);
    const bad = rows.find((row) => !Number.isSafeInteger(row) || row < 0 || row >= shape[0]);
    if (bad !== undefined) throw new ModelError(`${what} ${bad} is outside ${name}, which has ${shape[0]} rows (0..${shape[0] - 1})`);
    const rowLength = rowLengthOf(shape);
    if (rows.length === 0) return new Float32Array(0);
    const { readRowRange } = this.weights;
    if (readRowRange) {
      return gatherRows(rows, rowLength, async (start, count) => {
        const values = await readRowRange.call(this.weights, name, start, count);
        if (values.length !== count * rowLength) throw new ModelError(`rows ${start}..${start + count - 1} of ${name} hold ${values.length} values; ${count} rows of ${rowLength} need ${count * rowLength}`);
        return values;
      });
    }
    const whole = await this.read(name, shape);
    return gatherRows(rows, rowLength, async (start, count) => whole.subarray(start * rowLength, (start + count) * rowLength));
  }

  /** Like read, or undefined when the checkpoint has no such tensor (optional biases). */
  async optional(name: string, shape: readonly number[]): Promise<Float32Array | undefined> {
    return this.present.has(name) ? this.read(name, shape) : undefined;
  }
}
