/**
 * ONNX models (a protobuf ModelProto): the weights are the graph's initializers and its Constant
 * nodes' `value` tensors (also in the subgraphs of If/Loop/Scan nodes), with their values in
 * raw_data, in the typed fields, or in external files beside the model. The protobuf structure is
 * walked once by offset (protobuf.ts); tensor bytes are left where they are and read by range when
 * asked for. Nothing in the graph is run. Sparse initializers, the training_info graphs and the
 * model-local functions are not read.
 *
 * torch.onnx.export leaves some weights anonymous (`onnx::MatMul_12`, a folded transposed nn.Linear
 * weight): onnxNames.ts gives them back their parameter names where the graph says which they were.
 */
import { anonymousHint, GraphNode, recoverParameterNames } from './onnxNames';
import { decodeTyped, OnnxTensor, parseTensor } from './onnxTensor';
import { ProtoField, ProtoReader, Wire } from './protobuf';
import { checkTensorSize, toFloat32 } from './dtype';
import { ByteSource, CheckpointError, CheckpointFormat, countingSource, DTYPE_BYTES, OpenedCheckpoint, readRange, ReadLimits, shapeText, TensorInfo } from './types';

/** ModelProto field 1 (ir_version, a varint): the tag every ONNX serializer writes first. */
const IR_VERSION_TAG = 0x08;
/** Field names for errors ("its graph (field 7) … runs past the end"). */
const MODEL_FIELDS = { 1: 'ir_version', 2: 'producer_name', 3: 'producer_version', 7: 'the graph', 8: 'an opset_import', 14: 'a metadata_props entry' };
const GRAPH_FIELDS = { 1: 'a node', 2: 'the name', 5: 'an initializer', 11: 'an input', 12: 'an output', 13: 'a value_info' };
const NODE_FIELDS = { 1: 'an input', 2: 'an output', 3: 'the name', 4: 'the op_type', 5: 'an attribute', 7: 'the domain' };
/** Node outputs the name recovery follows. */
const NAMING_OPS = new Set(['MatMul', 'Gemm', 'Add']);

export const onnxFormat: CheckpointFormat = {
  name: 'onnx',
  // ONNX has no magic number: the name, and a ModelProto's first field.
  sniff: (head, fileName) => /\.onnx$/i.test(fileName) && head[0] === IR_VERSION_TAG,
  open: openOnnx,
};

interface Entry extends TensorInfo {
  tensor: OnnxTensor;
  /** Stored as the parameter transposed (a folded nn.Linear weight): transposed back when read. */
  transposed: boolean;
}

interface Walk {
  reader: ProtoReader;
  limits: ReadLimits;
  /** Initializers first, then Constant values (torch writes many small ones: shapes, scalars). */
  tensors: OnnxTensor[];
  constants: OnnxTensor[];
  nodes: GraphNode[];
}

export async function openOnnx(raw: ByteSource, limits: ReadLimits): Promise<OpenedCheckpoint> {
  const source = countingSource(raw);
  const file = raw.name;
  const reader = new ProtoReader(source);
  const walk: Walk = { reader, limits, tensors: [], constants: [], nodes: [] };
  const metadata: Record<string, string> = {};
  let graphs = 0;
  for await (const f of reader.fields(0, source.size, 'the ModelProto', MODEL_FIELDS)) {
    if (f.number === 1 && f.wire === Wire.Varint) metadata.ir_version = String(f.value);
    else if (f.number === 2 && f.wire === Wire.Len) metadata.producer = await reader.string(f, 'producer_name');
    else if (f.number === 3 && f.wire === Wire.Len) metadata.producer_version = await reader.string(f, 'producer_version');
    else if (f.number === 7) {
      if (f.wire !== Wire.Len) throw reader.error(`the ModelProto's graph has wire type ${f.wire}: not an ONNX model`);
      if (graphs++) throw reader.error('the ModelProto has two graphs: corrupt');
      // Walked where it lies, so that the file is read front to back.
      await walkGraph(walk, f.start, f.end, 0);
    } else if (f.number === 8 && f.wire === Wire.Len) {
      const opset = await stringsAndNumbers(reader, f, 'an opset_import');
      metadata[`opset${opset.strings.get(1) ? `.${opset.strings.get(1)}` : ''}`] = String(opset.numbers.get(2) ?? '');
    } else if (f.number === 14 && f.wire === Wire.Len) {
      const entry = await stringsAndNumbers(reader, f, 'a metadata_props entry');
      metadata[entry.strings.get(1) ?? ''] = entry.strings.get(2) ?? '';
    }
  }
  if (!graphs) throw reader.error('the ModelProto has no graph: not an ONNX model, or one without weights');
  const entries = namedEntries(walk, file);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const externals = await openExternal(raw, entries, file);

  const readRaw = async (name: string): Promise<Uint8Array> => {
    const entry = byName.get(name);
    if (!entry) throw new CheckpointError(`${file} has no tensor named ${JSON.stringify(name)}${anonymousHint(byName.keys())}`);
    checkTensorSize(name, entry.byteLength, limits.maxTensorBytes);
    const stored = await storedBytes(entry.tensor, source, externals, limits, file);
    return entry.transposed ? transpose(stored, entry.tensor.shape, DTYPE_BYTES[entry.dtype]) : stored;
  };
  return {
    format: 'onnx',
    tensors: entries.map(({ name, dtype, shape, byteLength }) => ({ name, dtype, shape, byteLength })),
    metadata,
    readRaw,
    read: async (name) => toFloat32(await readRaw(name), byName.get(name)!.dtype),
    bytesRead: () => source.bytesRead() + [...externals.values()].reduce((sum, s) => sum + s.bytesRead(), 0),
  };
}

async function walkGraph(walk: Walk, start: number, end: number, depth: number): Promise<void> {
  const { reader } = walk;
  const what = depth ? `a subgraph ${depth} deep` : 'the graph';
  for await (const f of reader.fields(start, end, what, GRAPH_FIELDS)) {
    if (f.wire !== Wire.Len) continue;
    if (f.number === 1) await walkNode(walk, f, depth);
    else if (f.number === 5) addTensor(walk, walk.tensors, await parseTensor(reader, f.start, f.end, `an initializer of ${what}`));
    else if (f.number === 15) throw reader.error(`${what} has a sparse initializer, which the inspector does not read; densify it before exporting`);
  }
}

async function walkNode(walk: Walk, field: ProtoField, depth: number): Promise<void> {
  const { reader, limits } = walk;
  const node: GraphNode = { op: '', name: '', inputs: [], outputs: [], transB: 0 };
  let domain = '';
  let value: ProtoField | undefined;
  const subgraphs: ProtoField[] = [];
  for await (const f of reader.fields(field.start, field.end, 'a node', NODE_FIELDS)) {
    if (f.wire !== Wire.Len) continue;
    if (f.number === 1) node.inputs.push(await reader.string(f, 'a node input'));
    else if (f.number === 2) node.outputs.push(await reader.string(f, 'a node output'));
    else if (f.number === 3) node.name = await reader.string(f, 'a node name');
    else if (f.number === 4) node.op = await reader.string(f, 'a node op_type');
    else if (f.number === 7) domain = await reader.string(f, 'a node domain');
    else if (f.number === 5) {
      let name = '';
      let integer: number | bigint | undefined;
      let tensor: ProtoField | undefined;
      for await (const a of reader.fields(f.start, f.end, 'a node attribute')) {
        if (a.number === 1 && a.wire === Wire.Len) name = await reader.string(a, 'an attribute name');
        else if (a.number === 3 && a.wire === Wire.Varint) integer = a.value;
        else if (a.number === 5 && a.wire === Wire.Len) tensor = a;
        else if ((a.number === 6 || a.number === 11) && a.wire === Wire.Len) subgraphs.push(a);
      }
      if (name === 'value') value = tensor;
      if (name === 'transB') node.transB = Number(integer ?? 0);
    }
  }
  const label = `node ${JSON.stringify(node.name || node.outputs[0] || '?')}`;
  if (node.op === 'Constant' && (domain === '' || domain === 'ai.onnx') && value) {
    if (!node.outputs[0]) throw reader.error(`Constant ${label} has no output`);
    addTensor(walk, walk.constants, await parseTensor(reader, value.start, value.end, `the value of Constant ${label}`, node.outputs[0]));
  }
  if (NAMING_OPS.has(node.op) && domain === '') walk.nodes.push(node);
  for (const sub of subgraphs) {
    if (depth + 1 > limits.maxDepth) throw reader.error(`${label} nests subgraphs more than ${limits.maxDepth} deep`);
    await walkGraph(walk, sub.start, sub.end, depth + 1);
  }
}

function addTensor(walk: Walk, list: OnnxTensor[], tensor: OnnxTensor): void {
  if (walk.tensors.length + walk.constants.length >= walk.limits.maxTensors) throw walk.reader.error(`more than ${walk.limits.maxTensors} tensors`);
  list.push(tensor);
}

/** The tensors under their parameter names where the graph gives them back, else their ONNX names. */
function namedEntries(walk: Walk, file: string): Entry[] {
  const tensors = [...walk.tensors, ...walk.constants];
  const recovered = recoverParameterNames(tensors, walk.nodes);
  const entries = tensors.map((tensor): Entry => {
    const r = recovered.get(tensor.name);
    const transposed = r?.transposed ?? false;
    const shape = transposed ? [tensor.shape[1], tensor.shape[0]] : tensor.shape;
    return { name: r?.name ?? tensor.name, dtype: tensor.dtype, shape, byteLength: tensor.byteLength, tensor, transposed };
  });
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new CheckpointError(`${file} names tensor ${JSON.stringify(e.name)} twice (as initializers or Constant outputs): corrupt`);
    seen.add(e.name);
  }
  return entries;
}

/** Each external file once, through the file access the caller gave; its size checked against the tensors in it. */
async function openExternal(raw: ByteSource, entries: Entry[], file: string): Promise<Map<string, ByteSource & { bytesRead(): number }>> {
  const files = new Map<string, ByteSource & { bytesRead(): number }>();
  for (const { tensor } of entries) {
    if (tensor.data.kind !== 'external') continue;
    const { location, begin } = tensor.data;
    let external = files.get(location);
    if (!external) {
      if (!raw.sibling) throw new CheckpointError(`${file}: tensor ${JSON.stringify(tensor.name)} keeps its data in ${location}, a file beside the model, and this model was opened without access to its folder`);
      try {
        external = countingSource(await raw.sibling(location));
      } catch (e) {
        throw new CheckpointError(`${file}: tensor ${JSON.stringify(tensor.name)} keeps its data in ${location}, which cannot be opened beside the model (${(e as Error).message}); copy it next to ${file}`);
      }
      files.set(location, external);
    }
    if (begin + tensor.byteLength > external.size) {
      throw new CheckpointError(`${file}: tensor ${JSON.stringify(tensor.name)} (${shapeText(tensor.shape)} ${tensor.dtype}) needs bytes ${begin}..${begin + tensor.byteLength} of ${location}, which has ${external.size}: truncated, or not this model's data`);
    }
  }
  return files;
}

async function storedBytes(tensor: OnnxTensor, source: ByteSource, externals: Map<string, ByteSource>, limits: ReadLimits, file: string): Promise<Uint8Array> {
  const data = tensor.data;
  const what = `tensor ${tensor.name}`;
  if (data.kind === 'raw') return readRange(source, data.begin, tensor.byteLength, what);
  if (data.kind === 'external') return readRange(externals.get(data.location)!, data.begin, tensor.byteLength, what);
  if (data.kind === 'empty') return new Uint8Array(0);
  checkTensorSize(`${tensor.name} (its TensorProto)`, data.end - data.start, limits.maxTensorBytes);
  return decodeTyped(await readRange(source, data.start, data.end - data.start, what), tensor, file);
}

/** A 2-D tensor [rows, cols] of `size`-byte elements as [cols, rows]. */
function transpose(bytes: Uint8Array, [rows, cols]: number[], size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out.set(bytes.subarray((r * cols + c) * size, (r * cols + c + 1) * size), (c * rows + r) * size);
  }
  return out;
}

/** A small message of string fields and varint fields (opset_import, metadata_props), by field number. */
async function stringsAndNumbers(reader: ProtoReader, field: ProtoField, what: string): Promise<{ strings: Map<number, string>; numbers: Map<number, number | bigint> }> {
  const strings = new Map<number, string>();
  const numbers = new Map<number, number | bigint>();
  for await (const f of reader.fields(field.start, field.end, what)) {
    if (f.wire === Wire.Len) strings.set(f.number, await reader.string(f, what));
    else if (f.wire === Wire.Varint) numbers.set(f.number, f.value);
  }
  return { strings, numbers };
}
