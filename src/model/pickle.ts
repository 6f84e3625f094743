/**
 * An allow-list unpickler in the spirit of `torch.load(weights_only=True)`: it reads every pickle
 * opcode (protocols 0 to 5) but knows only the globals that rebuild tensors, storages, NumPy
 * arrays and plain containers. Any other global (`posix.system`, `builtins.eval`,
 * `subprocess.Popen`) is refused by name when the pickle names it, before anything could use it;
 * nothing is ever executed, the allowed globals only build inert descriptions (pickleValues.ts).
 * Memo size, stack depth and container nesting are bounded.
 */
import { PyDict, PyNdarray, PyNumpyDtype, PySet, PyStorageType, PyTensor, PyTorchDtype, PyTuple, PyType } from './pickleValues';
import { CheckpointError, ReadLimits, TensorDtype } from './types';

/** The pickle ends before its STOP: the caller may read more bytes and try again. */
export class PickleTruncated extends CheckpointError {}

export type PersistentLoad = (pid: unknown) => unknown;

type Callable = (args: unknown[], what: string) => unknown;

const STORAGE_DTYPES: Record<string, TensorDtype> = {
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', LongStorage: 'I64', IntStorage: 'I32',
  ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL', UntypedStorage: 'U8',
};

const int = (value: unknown, what: string): number => {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new CheckpointError(`${what}: expected an integer, found ${describe(value)}`);
};
const ints = (value: unknown, what: string): number[] => {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : undefined;
  if (!items) throw new CheckpointError(`${what}: expected a tuple of integers, found ${describe(value)}`);
  return items.map((x) => int(x, what));
};

const TORCH_DTYPES: Record<string, TensorDtype> = {
  float64: 'F64', double: 'F64', float32: 'F32', float: 'F32', float16: 'F16', half: 'F16', bfloat16: 'BF16', int64: 'I64', long: 'I64',
  int32: 'I32', int: 'I32', int16: 'I16', short: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL',
};

function rebuildTensorV3(args: unknown[], what: string): PyTensor {
  const dtype = args[6];
  if (!(dtype instanceof PyTorchDtype)) throw new CheckpointError(`${what}: _rebuild_tensor_v3 without a torch dtype`);
  const { storage, offset, shape, stride } = rebuildTensor(args, what);
  return new PyTensor(storage, offset, shape, stride, dtype.dtype);
}

function rebuildTensor([storage, offset, size, stride]: unknown[], what: string): PyTensor {
  const shape = ints(size, `${what} size`);
  const strides = ints(stride, `${what} stride`);
  if (shape.length !== strides.length) throw new CheckpointError(`${what}: size ${shape} and stride ${strides} differ in length`);
  if (shape.some((d) => d < 0) || strides.some((s) => s < 0)) throw new CheckpointError(`${what}: negative size or stride`);
  return new PyTensor(storage, int(offset, `${what} storage offset`), shape, strides);
}

function tensorArgument(value: unknown, what: string): PyTensor {
  if (!(value instanceof PyTensor)) throw new CheckpointError(`${what}: expected a tensor, found ${describe(value)}`);
  return value;
}

function dictFrom(args: unknown[]): PyDict {
  const dict = new PyDict();
  const pairs = args[0];
  const items = pairs instanceof PyTuple ? pairs.items : Array.isArray(pairs) ? pairs : [];
  for (const pair of items) if (pair instanceof PyTuple && pair.items.length === 2) dict.map.set(pair.items[0], pair.items[1]);
  return dict;
}

function setFrom(args: unknown[]): PySet {
  const set = new PySet();
  const items = args[0] instanceof PyTuple ? args[0].items : Array.isArray(args[0]) ? args[0] : [];
  for (const item of items) set.items.add(item);
  return set;
}

const reconstruct: Callable = () => new PyNdarray();

/** The globals a checkpoint may name: "module.name" → what calling it builds (or a type). */
const ALLOWED: Record<string, Callable | PyType | PyStorageType | PyTorchDtype> = {
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor_v3': rebuildTensorV3,
  'torch._utils._rebuild_parameter': ([data], what) => tensorArgument(data, what),
  'torch._utils._rebuild_parameter_with_state': ([data], what) => tensorArgument(data, what),
  'torch.nn.parameter.Parameter': ([data], what) => tensorArgument(data, what),
  'torch._tensor._rebuild_from_type_v2': ([fn, , args], what) => callAllowed(fn, args instanceof PyTuple ? args.items : [], what),
  'torch.Tensor': new PyType('torch', 'Tensor'),
  'torch._tensor.Tensor': new PyType('torch', 'Tensor'),
  'torch.Size': ([items]) => new PyTuple(items instanceof PyTuple ? items.items : Array.isArray(items) ? items : []),
  'torch.device': ([name]) => String(name),
  'collections.OrderedDict': dictFrom,
  'builtins.dict': dictFrom,
  'builtins.set': setFrom,
  'builtins.frozenset': setFrom,
  // Protocol 2 spells bytes as _codecs.encode(text, 'latin1'): the text's code points are the bytes.
  '_codecs.encode': ([text, encoding], what) => {
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw new CheckpointError(`${what}: only latin1 encoding of a string is allowed`);
    return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  },
  'numpy.core.multiarray._reconstruct': reconstruct,
  'numpy._core.multiarray._reconstruct': reconstruct,
  'numpy.ndarray': new PyType('numpy', 'ndarray'),
  'numpy.dtype': ([code]) => new PyNumpyDtype(String(code)),
};
for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) ALLOWED[`torch.${name}`] = new PyStorageType(name, dtype);
for (const [name, dtype] of Object.entries(TORCH_DTYPES)) ALLOWED[`torch.${name}`] = new PyTorchDtype(name, dtype);

const ALIASES: Record<string, string> = { __builtin__: 'builtins', 'torch.tensor': 'torch._tensor' };

function resolveGlobal(module: string, name: string): Callable | PyType | PyStorageType | PyTorchDtype {
  // Own keys only: a pickle naming `constructor` or `toString` must not reach Object.prototype.
  const full = `${Object.hasOwn(ALIASES, module) ? ALIASES[module] : module}.${name}`;
  if (Object.hasOwn(ALLOWED, full)) return ALLOWED[full];
  if (/^torch\.\w*Storage$/.test(full)) throw new CheckpointError(`refused storage type torch.${name}: complex and quantized storages are not read`);
  if (full === 'torch.storage._load_from_bytes') throw new CheckpointError(`refused global ${full}: a tensor pickled with pickle.dump holds a nested torch.save file; save the state dict with torch.save instead`);
  if (full.startsWith('torch._utils._rebuild_')) throw new CheckpointError(`refused global ${module}.${name}: this kind of tensor (sparse, quantized or device-specific) is not read`);
  throw new CheckpointError(`refused global ${module}.${name}: a checkpoint may only name tensor, storage, NumPy array and container types, and this pickle asks for something else (possibly code to run); nothing was executed`);
}

function callAllowed(fn: unknown, args: unknown[], what: string): unknown {
  if (typeof fn === 'function') return (fn as Callable)(args, what);
  if (fn instanceof PyType && fn.module === 'numpy' && fn.name === 'ndarray') return new PyNdarray();
  throw new CheckpointError(`${what}: cannot call ${describe(fn)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof PyTuple) return 'a tuple';
  if (value instanceof PyDict) return 'a dict';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof PyType) return `${value.module}.${value.name}`;
  if (value instanceof PyStorageType) return `torch.${value.name}`;
  if (typeof value === 'function') return 'a rebuild function';
  if (value instanceof Uint8Array) return 'bytes';
  return typeof value === 'object' ? (value as object).constructor.name : `${typeof value} ${String(value).slice(0, 40)}`;
}

/** BUILD: set an object's state. Only NumPy arrays and dtypes take it; other state is ignored (never executed). */
function build(target: unknown, state: unknown, what: string): void {
  if (target instanceof PyNdarray) {
    const items = state instanceof PyTuple ? state.items : [];
    const [, shape, dtype, fortran, data] = items.length === 5 ? items : [undefined, ...items];
    if (!(dtype instanceof PyNumpyDtype)) throw new CheckpointError(`${what}: a NumPy array without a dtype`);
    if (!(data instanceof Uint8Array)) throw new CheckpointError(`${what}: a NumPy array of objects (dtype ${dtype.code}) is not read; save numbers only`);
    target.shape = ints(shape, `${what} shape`);
    target.descr = dtype.descr;
    target.fortranOrder = fortran === true;
    target.data = data;
  } else if (target instanceof PyNumpyDtype && state instanceof PyTuple && typeof state.items[1] === 'string') {
    target.byteOrder = state.items[1];
  }
}

const OP = {
  MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, DUP: 0x32, FLOAT: 0x46, INT: 0x49, BININT: 0x4a, BININT1: 0x4b, LONG: 0x4c, BININT2: 0x4d,
  NONE: 0x4e, PERSID: 0x50, BINPERSID: 0x51, REDUCE: 0x52, STRING: 0x53, BINSTRING: 0x54, SHORT_BINSTRING: 0x55, UNICODE: 0x56, BINUNICODE: 0x58,
  APPEND: 0x61, BUILD: 0x62, GLOBAL: 0x63, DICT: 0x64, EMPTY_DICT: 0x7d, APPENDS: 0x65, GET: 0x67, BINGET: 0x68, INST: 0x69, LONG_BINGET: 0x6a,
  LIST: 0x6c, EMPTY_LIST: 0x5d, OBJ: 0x6f, PUT: 0x70, BINPUT: 0x71, LONG_BINPUT: 0x72, SETITEM: 0x73, TUPLE: 0x74, EMPTY_TUPLE: 0x29,
  SETITEMS: 0x75, BINFLOAT: 0x47, PROTO: 0x80, NEWOBJ: 0x81, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87, NEWTRUE: 0x88, NEWFALSE: 0x89,
  LONG1: 0x8a, LONG4: 0x8b, BINBYTES: 0x42, SHORT_BINBYTES: 0x43, SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f, ADDITEMS: 0x90, FROZENSET: 0x91, NEWOBJ_EX: 0x92, STACK_GLOBAL: 0x93, MEMOIZE: 0x94, FRAME: 0x95, BYTEARRAY8: 0x96,
} as const;

/** Unpickles one pickle starting at `start`; returns its value and where its STOP ended. */
export function unpickle(bytes: Uint8Array, limits: ReadLimits, what: string, persistentLoad?: PersistentLoad, start = 0): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const depth = new WeakMap<object, number>();
  const fail = (message: string) => new CheckpointError(`${what}: ${message} (pickle byte ${at})`);
  const need = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw fail(`a length of ${n}`);
    if (at + n > bytes.length) throw new PickleTruncated(`${what}: truncated pickle (needs ${at + n - bytes.length} more bytes at byte ${at})`);
  };
  const take = (n: number) => {
    need(n);
    at += n;
    return bytes.subarray(at - n, at);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) throw new PickleTruncated(`${what}: truncated pickle (no end of line after byte ${at})`);
    const text = new TextDecoder('latin1').decode(bytes.subarray(at, end));
    at = end + 1;
    return text;
  };
  // Arguments first: popMark replaces `stack`, so `stack.push(tuple(popMark()))` would push onto the old one.
  const push = (value: unknown) => {
    stack.push(value);
  };
  const pop = () => {
    if (stack.length === 0) throw fail('stack underflow');
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) throw fail('no MARK on the stack');
    stack = previous;
    return items;
  };
  const nest = (parent: object, children: unknown[]) => {
    let d = depth.get(parent) ?? 1;
    for (const child of children) if (typeof child === 'object' && child !== null) d = Math.max(d, (depth.get(child) ?? 1) + 1);
    if (d > limits.maxDepth) throw fail(`containers nested deeper than ${limits.maxDepth}`);
    depth.set(parent, d);
  };
  const tuple = (items: unknown[]) => {
    const t = new PyTuple(items);
    nest(t, items);
    return t;
  };
  const memoize = (index: number) => {
    if (!memo.has(index) && memo.size >= limits.maxMemo) throw fail(`more than ${limits.maxMemo} memo entries`);
    memo.set(index, top());
  };
  const recall = (index: number) => {
    if (!memo.has(index)) throw fail(`memo entry ${index} is read before it is written`);
    push(memo.get(index));
  };
  const setItems = (dict: unknown, items: unknown[]) => {
    if (items.length % 2) throw fail('SETITEMS with an odd number of items');
    if (dict instanceof PyDict) {
      for (let k = 0; k < items.length; k += 2) dict.map.set(items[k], items[k + 1]);
      nest(dict, items);
    } else throw fail(`SETITEM on ${describe(dict)}`);
  };
  const append = (list: unknown, items: unknown[]) => {
    if (Array.isArray(list)) {
      list.push(...items);
      nest(list, items);
    } else throw fail(`APPEND on ${describe(list)}`);
  };
  const call = (fn: unknown, args: unknown) => {
    if (!(args instanceof PyTuple)) throw fail(`call arguments are ${describe(args)}, not a tuple`);
    return callAllowed(fn, args.items, what);
  };
  const global = (module: string, name: string) => {
    try {
      push(resolveGlobal(module, name));
    } catch (e) {
      throw new CheckpointError(`${what}: ${(e as Error).message}`);
    }
  };
  const text = (raw: Uint8Array) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw fail('a string that is not UTF-8');
    }
  };
  const littleLong = (raw: Uint8Array) => {
    if (raw.length > 64) throw fail(`a ${raw.length}-byte integer`);
    let value = 0n;
    for (let k = raw.length - 1; k >= 0; k--) value = (value << 8n) | BigInt(raw[k]);
    if (raw.length && raw[raw.length - 1] & 0x80) value -= 1n << BigInt(8 * raw.length);
    return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  };

  for (;;) {
    need(1);
    const op = bytes[at++];
    if (stack.length > 4 * limits.maxMemo) throw fail('stack too large');
    switch (op) {
      case OP.PROTO: take(1); break;
      case OP.FRAME: take(8); break;
      case OP.STOP: return { value: pop(), end: at };
      case OP.MARK:
        if (marks.length >= limits.maxDepth) throw fail(`MARKs nested deeper than ${limits.maxDepth}`);
        marks.push(stack);
        stack = [];
        break;
      case OP.POP: pop(); break;
      case OP.POP_MARK: popMark(); break;
      case OP.DUP: push(top()); break;
      case OP.NONE: push(null); break;
      case OP.NEWTRUE: push(true); break;
      case OP.NEWFALSE: push(false); break;
      case OP.BININT: need(4); push(view.getInt32(at, true)); at += 4; break;
      case OP.BININT1: push(take(1)[0]); break;
      case OP.BININT2: need(2); push(view.getUint16(at, true)); at += 2; break;
      case OP.LONG1: push(littleLong(take(take(1)[0]))); break;
      case OP.LONG4: {
        need(4);
        const length = view.getInt32(at, true);
        at += 4;
        if (length < 0) throw fail('LONG4 with a negative length');
        push(littleLong(take(length)));
        break;
      }
      case OP.INT: {
        const t = line().trim();
        push(t === '01' ? true : t === '00' ? false : parseInteger(t, fail));
        break;
      }
      case OP.LONG: push(parseInteger(line().trim().replace(/L$/, ''), fail)); break;
      case OP.FLOAT: push(Number(line())); break;
      case OP.BINFLOAT: need(8); push(view.getFloat64(at, false)); at += 8; break;
      case OP.SHORT_BINUNICODE: push(text(take(take(1)[0]))); break;
      case OP.BINUNICODE: need(4); at += 4; push(text(take(view.getUint32(at - 4, true)))); break;
      case OP.BINUNICODE8: need(8); at += 8; push(text(take(Number(view.getBigUint64(at - 8, true))))); break;
      case OP.UNICODE: push(rawUnicodeEscape(line())); break;
      case OP.SHORT_BINSTRING: push(new TextDecoder('latin1').decode(take(take(1)[0]))); break;
      case OP.BINSTRING: need(4); at += 4; push(new TextDecoder('latin1').decode(take(view.getInt32(at - 4, true)))); break;
      case OP.STRING: push(stringLiteral(line(), fail)); break;
      case OP.SHORT_BINBYTES: push(take(take(1)[0])); break;
      case OP.BINBYTES: need(4); at += 4; push(take(view.getUint32(at - 4, true))); break;
      case OP.BINBYTES8:
      case OP.BYTEARRAY8: need(8); at += 8; push(take(Number(view.getBigUint64(at - 8, true)))); break;
      case OP.EMPTY_TUPLE: push(tuple([])); break;
      case OP.TUPLE: push(tuple(popMark())); break;
      case OP.TUPLE1: push(tuple([pop()])); break;
      case OP.TUPLE2: { const b = pop(); push(tuple([pop(), b])); break; }
      case OP.TUPLE3: { const c = pop(); const b = pop(); push(tuple([pop(), b, c])); break; }
      case OP.EMPTY_LIST: push([]); break;
      case OP.LIST: { const list: unknown[] = []; append(list, popMark()); push(list); break; }
      case OP.APPEND: { const item = pop(); append(top(), [item]); break; }
      case OP.APPENDS: { const items = popMark(); append(top(), items); break; }
      case OP.EMPTY_DICT: push(new PyDict()); break;
      case OP.DICT: { const d = new PyDict(); setItems(d, popMark()); push(d); break; }
      case OP.SETITEM: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; }
      case OP.SETITEMS: { const items = popMark(); setItems(top(), items); break; }
      case OP.EMPTY_SET: push(new PySet()); break;
      case OP.ADDITEMS: { const items = popMark(); const set = top(); if (!(set instanceof PySet)) throw fail('ADDITEMS on a non-set'); items.forEach((x) => set.items.add(x)); break; }
      case OP.FROZENSET: push(setFrom([popMark()])); break;
      case OP.PUT: memoize(parseInteger(line(), fail) as number); break;
      case OP.BINPUT: memoize(take(1)[0]); break;
      case OP.LONG_BINPUT: need(4); at += 4; memoize(view.getUint32(at - 4, true)); break;
      case OP.MEMOIZE: memoize(memo.size); break;
      case OP.GET: recall(parseInteger(line(), fail) as number); break;
      case OP.BINGET: recall(take(1)[0]); break;
      case OP.LONG_BINGET: need(4); at += 4; recall(view.getUint32(at - 4, true)); break;
      case OP.GLOBAL: { const module = line(); global(module, line()); break; }
      case OP.STACK_GLOBAL: {
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL of non-strings');
        global(module, name);
        break;
      }
      case OP.INST: {
        const module = line();
        const name = line();
        const args = popMark();
        global(module, name);
        push(call(pop(), tuple(args)));
        break;
      }
      case OP.OBJ: { const [fn, ...args] = popMark(); push(call(fn, tuple(args))); break; }
      case OP.REDUCE: { const args = pop(); push(call(pop(), args)); break; }
      case OP.NEWOBJ: { const args = pop(); push(call(pop(), args)); break; }
      case OP.NEWOBJ_EX: { pop(); const args = pop(); push(call(pop(), args)); break; }
      case OP.BUILD: { const state = pop(); build(top(), state, what); break; }
      case OP.PERSID: push(persist(line())); break;
      case OP.BINPERSID: push(persist(pop())); break;
      default:
        throw fail(`unsupported pickle opcode 0x${op.toString(16)} (extension registry, out-of-band buffers or not a pickle)`);
    }
  }

  function persist(pid: unknown): unknown {
    if (!persistentLoad) throw fail('a persistent id outside a PyTorch checkpoint');
    return persistentLoad(pid);
  }
}

/** Protocol 0's STRING: a quoted Python bytes repr, its escapes decoded (as latin1 text). */
function stringLiteral(text: string, fail: (m: string) => Error): string {
  const quoted = text.trim();
  if (quoted.length < 2 || (quoted[0] !== "'" && quoted[0] !== '"') || quoted[quoted.length - 1] !== quoted[0]) throw fail('a STRING that is not quoted');
  const named: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
  return quoted.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[\s\S])/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : named[e] ?? `\\${e}`));
}

/** Protocol 0's UNICODE: raw-unicode-escape, where only \uXXXX and \UXXXXXXXX are escapes. */
function rawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u: string, U: string) => String.fromCodePoint(parseInt(u ?? U, 16)));
}

function parseInteger(text: string, fail: (m: string) => Error): number | bigint {
  if (!/^\s*[-+]?\d+\s*$/.test(text) || text.length > 100) throw fail(`bad integer ${JSON.stringify(text.slice(0, 40))}`);
  const value = BigInt(text.trim());
  return Number.isSafeInteger(Number(value)) ? Number(value) : value;
}
