/** The values the allow-list unpickler (pickle.ts) builds: plain containers and inert descriptions of tensors. */
import { TensorDtype } from './types';

export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** dict and OrderedDict; keys are compared as JavaScript Map keys (strings and numbers by value). */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
}

export class PySet {
  readonly items = new Set<unknown>();
}

/** An allow-listed global used as a value (a type passed to a rebuild function), never called. */
export class PyType {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

/** A PyTorch storage type such as torch.FloatStorage. */
export class PyStorageType {
  constructor(
    readonly name: string,
    readonly dtype: TensorDtype,
  ) {}
}

/** A torch dtype global such as torch.float32. */
export class PyTorchDtype {
  constructor(
    readonly name: string,
    readonly dtype: TensorDtype,
  ) {}
}

/**
 * `_rebuild_tensor_v2(storage, storage_offset, size, stride, ...)`: a view of a storage, offset and
 * strides in elements. `_rebuild_tensor_v3` adds a dtype that may differ from the storage's.
 */
export class PyTensor {
  constructor(
    readonly storage: unknown,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
    readonly dtype?: TensorDtype,
  ) {}
}

/** A NumPy array from `_reconstruct` + BUILD: its dtype string (`<f4`), shape, order and raw bytes. */
export class PyNdarray {
  descr?: string;
  shape: number[] = [];
  fortranOrder = false;
  data?: Uint8Array;
}

/** `numpy.dtype('f4', False, True)`, its byte order ('<', '>', '|' or '=') set by BUILD. */
export class PyNumpyDtype {
  constructor(
    public code: string,
    public byteOrder = '=',
  ) {}

  /** The descriptor as a .npy header spells it, e.g. `<f4`, `|u1` (parseDescr reads '=' as native). */
  get descr(): string {
    return `${this.byteOrder}${this.code}`;
  }
}
