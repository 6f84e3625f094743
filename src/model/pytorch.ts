/**
 * PyTorch checkpoints (`torch.save`) and bare pickles, read through the allow-list unpickler.
 * - zip (torch ≥ 1.6): `<root>/data.pkl` whose persistent ids ('storage', type, key, location,
 *   numel) name entries `<root>/data/<key>`; the root folder is the archive's own stem, not
 *   always `archive/`.
 * - legacy (`_use_new_zipfile_serialization=False`): pickles of the magic number, protocol
 *   version and sys info, the object (ids add view metadata), the list of storage keys, then each
 *   storage as an int64 element count and its bytes, in that list's order.
 * - a bare pickle (`pickle.dump`) of NumPy arrays in containers: the data is inside the pickle.
 */
import { findTensors, pickledCheckpoint, StorageRef } from './pickledTensors';
import { PickleTruncated, unpickle } from './pickle';
import { PyDict, PyStorageType, PyTuple } from './pickleValues';
import { ByteSource, CheckpointError, CheckpointFormat, countingSource, DTYPE_BYTES, OpenedCheckpoint, readRange, ReadLimits } from './types';
import { looksLikeZip, ZipArchive } from './zip';

const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]; // LONG1 0x1950a86a20f9469cfc6c
const LEGACY_PROTOCOL = 1001;

export const pytorchZipFormat: CheckpointFormat = {
  name: 'pytorch-zip',
  // Any zip whose entries turn out to hold data.pkl; .npz files are zips too and are claimed by name first.
  sniff: (head, fileName) => looksLikeZip(head) && !/\.npz$/i.test(fileName),
  open: openPytorchZip,
};

export const pytorchLegacyFormat: CheckpointFormat = {
  name: 'pytorch-legacy',
  sniff: (head) => head[0] === 0x80 && LEGACY_MAGIC.every((b, k) => head[2 + k] === b),
  open: openPytorchLegacy,
};

export const pickleFormat: CheckpointFormat = {
  name: 'pickle',
  // Protocol 2 to 5 start with PROTO; older text pickles are recognised by name only.
  sniff: (head, fileName) => (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) || /\.(pkl|pickle)$/i.test(fileName),
  open: openBarePickle,
};

function storageId(pid: unknown, what: string): { type: PyStorageType; key: string; numel: number; view?: unknown } {
  const items = pid instanceof PyTuple ? pid.items : [];
  if (items[0] !== 'storage') throw new CheckpointError(`${what}: unknown persistent id ${String(items[0] ?? pid)}; only storages are read`);
  const [, type, key, , numel, view] = items;
  if (!(type instanceof PyStorageType)) throw new CheckpointError(`${what}: a storage of unknown type`);
  if (typeof key !== 'string' && typeof key !== 'number') throw new CheckpointError(`${what}: a storage key that is not a string`);
  if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) throw new CheckpointError(`${what}: storage ${key} declares ${String(numel)} elements`);
  return { type, key: String(key), numel, view };
}

export async function openPytorchZip(raw: ByteSource, limits: ReadLimits): Promise<OpenedCheckpoint> {
  const source = countingSource(raw);
  const zip = await ZipArchive.open(source, limits);
  const pickles = [...zip.entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    const reason = pickles.length ? `several (${pickles.join(', ')})` : 'none';
    throw new CheckpointError(`${raw.name} is a zip but not a torch.save checkpoint: it needs one <root>/data.pkl, it has ${reason}`);
  }
  const root = pickles[0].slice(0, -'data.pkl'.length);
  const byteorder = zip.entries.get(`${root}byteorder`);
  if (byteorder && new TextDecoder().decode(await zip.read(byteorder)).trim() !== 'little') throw new CheckpointError(`${raw.name} was saved on a big-endian machine; only little-endian checkpoints are read`);
  const pickleEntry = zip.entries.get(pickles[0])!;
  if (pickleEntry.size > limits.maxHeaderBytes) throw new CheckpointError(`${raw.name}: data.pkl has ${pickleEntry.size} bytes, past the limit of ${limits.maxHeaderBytes}`);
  const what = `${raw.name} (${pickles[0]})`;
  const storages = new Map<string, StorageRef>();
  const persistentLoad = (pid: unknown) => {
    const { type, key, numel } = storageId(pid, what);
    const known = storages.get(key);
    if (known) return known;
    const entry = zip.entries.get(`${root}data/${key}`);
    if (!entry) throw new CheckpointError(`${what}: storage ${key} has no entry ${root}data/${key}`);
    const bytes = numel * DTYPE_BYTES[type.dtype];
    if (entry.size < bytes) throw new CheckpointError(`${what}: storage ${key} declares ${numel} ${type.name} elements (${bytes} bytes) but its entry holds ${entry.size}`);
    const storage: StorageRef = { dtype: type.dtype, numel, read: (start, length) => zip.read(entry, start, length) };
    storages.set(key, storage);
    return storage;
  };
  const { value } = unpickle(await zip.read(pickleEntry), limits, what, persistentLoad);
  return pickledCheckpoint('pytorch-zip', findTensors(value, limits, raw.name), limits, raw.name, () => source.bytesRead());
}

/**
 * Unpickles from `at`, reading more of the file as long as the pickle runs past what was read
 * (up to maxHeaderBytes): the pickles of a legacy file are small and come before the storages.
 */
async function unpickleAt(source: ByteSource, at: number, limits: ReadLimits, what: string, persistentLoad?: (pid: unknown) => unknown) {
  for (let length = 1 << 12; ; length *= 8) {
    const available = Math.min(length, source.size - at, limits.maxHeaderBytes);
    const bytes = await readRange(source, at, available, 'a pickle');
    try {
      const { value, end } = unpickle(bytes, limits, what, persistentLoad);
      return { value, end: at + end };
    } catch (e) {
      if (!(e instanceof PickleTruncated) || available < length) throw e;
    }
  }
}

export async function openPytorchLegacy(raw: ByteSource, limits: ReadLimits): Promise<OpenedCheckpoint> {
  const source = countingSource(raw);
  const what = raw.name;
  const magic = await unpickleAt(source, 0, limits, what);
  if (typeof magic.value !== 'bigint' || magic.value !== 0x1950a86a20f9469cfc6cn) throw new CheckpointError(`${what} is not a legacy torch.save file (wrong magic number)`);
  const protocol = await unpickleAt(source, magic.end, limits, what);
  if (protocol.value !== LEGACY_PROTOCOL) throw new CheckpointError(`${what} has legacy protocol version ${String(protocol.value)}; torch writes ${LEGACY_PROTOCOL}`);
  const sysInfo = await unpickleAt(source, protocol.end, limits, what);
  if (sysInfo.value instanceof PyDict && sysInfo.value.map.get('little_endian') === false) throw new CheckpointError(`${what} was saved on a big-endian machine; only little-endian checkpoints are read`);
  // Storages are known from the object's persistent ids; their bytes are located after the key list.
  const declared = new Map<string, { dtype: PyStorageType['dtype']; numel: number; start?: number }>();
  const persistentLoad = (pid: unknown) => {
    const { type, key, numel, view } = storageId(pid, what);
    if (!declared.has(key)) declared.set(key, { dtype: type.dtype, numel });
    const root = declared.get(key)!;
    const size = DTYPE_BYTES[root.dtype];
    let base = 0;
    let count = root.numel;
    if (view instanceof PyTuple) {
      const [, offset, viewSize] = view.items;
      if (typeof offset !== 'number' || typeof viewSize !== 'number' || offset < 0 || viewSize < 0) throw new CheckpointError(`${what}: storage ${key} has bad view metadata`);
      base = offset * size;
      count = viewSize;
    }
    const storage: StorageRef = {
      dtype: root.dtype,
      numel: count,
      read: (start, length) => {
        if (root.start === undefined) throw new CheckpointError(`${what}: storage ${key} is not in the file's list of storages`);
        return readRange(source, root.start + base + start, length, `storage ${key}`);
      },
    };
    return storage;
  };
  const main = await unpickleAt(source, sysInfo.end, limits, what, persistentLoad);
  const keys = await unpickleAt(source, main.end, limits, what);
  if (!Array.isArray(keys.value)) throw new CheckpointError(`${what}: the list of storage keys is missing`);
  let at = keys.end;
  for (const key of keys.value) {
    const storage = declared.get(String(key));
    if (!storage) throw new CheckpointError(`${what}: storage ${String(key)} is listed but no tensor uses it`);
    const header = await readRange(source, at, 8, `the size of storage ${String(key)}`);
    const count = new DataView(header.buffer, header.byteOffset, 8).getBigInt64(0, true);
    const bytes = count * BigInt(DTYPE_BYTES[storage.dtype]);
    if (count < BigInt(storage.numel) || at + 8 + Number(bytes) > source.size) {
      throw new CheckpointError(`${what} is truncated or lies about storage ${String(key)}: it declares ${count} elements (${storage.numel} used) at byte ${at + 8}, the file has ${source.size} bytes`);
    }
    storage.start = at + 8;
    at += 8 + Number(bytes);
  }
  for (const [key, storage] of declared) if (storage.start === undefined) throw new CheckpointError(`${what}: storage ${key} is used but its bytes are missing`);
  return pickledCheckpoint('pytorch-legacy', findTensors(main.value, limits, what), limits, what, () => source.bytesRead());
}

export async function openBarePickle(raw: ByteSource, limits: ReadLimits): Promise<OpenedCheckpoint> {
  const source = countingSource(raw);
  const limit = Math.max(limits.maxHeaderBytes, limits.maxTensorBytes);
  if (raw.size > limit) throw new CheckpointError(`${raw.name} is a ${raw.size}-byte pickle, past the limit of ${limit} (a bare pickle is read whole)`);
  const { value } = unpickle(await readRange(source, 0, raw.size, 'the pickle'), limits, raw.name);
  const found = findTensors(value, limits, raw.name);
  if (found.length === 0) throw new CheckpointError(`${raw.name} is a pickle without arrays: nothing to read`);
  return pickledCheckpoint('pickle', found, limits, raw.name, () => source.bytesRead());
}
