/**
 * The one typed protocol between the extension host and the inspector webview: a discriminated
 * union per direction, and validators that each side runs on every message it receives.
 */
import { ConfigIssue, FACTORIZED_PATTERNS, PATTERN_NAMES, PatternConfig, PatternName } from './core/config';
import { patternSpec } from './core/patterns/registry';
import type { ParamSpec } from './core/patterns/spec';
import { TokenizerName, TOKENIZERS } from './core/tokenize';

export interface Sequence {
  tokens: string[];
  /** Where the tokens came from, e.g. "selection in model.py (gpt2 tokens)". */
  source: string;
  /** Pasted embeddings, one row per token (row-major [tokens, dim]). */
  embeddings?: { dim: number; values: number[] };
  /** Pasted Q, K and V, each row-major [heads, tokens, d]; heads 1 means shared by every head. */
  qkv?: { heads: number; d: number; q: number[]; k: number[]; v: number[] };
  /**
   * Set by the host on a sequence with pasted numbers: the webview's saved state and its
   * per-render stateChanged carry the sequence without them, by this reference; the host keeps
   * the numbers (and a copy in the extension's storage for window reloads).
   */
  bulkId?: string;
}

/**
 * The state as saved and reported on every render: pasted numbers (tens of MiB) left out where
 * the host holds them by reference, so an edit costs the same with or without a paste.
 */
export function withoutBulk(state: InspectorState): InspectorState {
  const sequence = state.sequence;
  if (!sequence?.bulkId) return state;
  return { ...state, sequence: { tokens: sequence.tokens, source: sequence.source, bulkId: sequence.bulkId } };
}

/** How pasted text becomes a sequence: a tokenizer, numbers read as embeddings [n, d], or Q/K/V. */
export type PasteKind = TokenizerName | 'numbers' | 'qkv';

/** Everything the panel needs to come back after a hide or a window reload. */
export interface InspectorState {
  config: PatternConfig;
  sequence?: Sequence;
}

export const COMPUTE_BACKENDS = ['auto', 'cpu', 'webasm', 'webgl2', 'webgpu'] as const;
export type ComputeBackendSetting = (typeof COMPUTE_BACKENDS)[number];

/** Who draws the maps: auto (WebGL2 on a hardware GPU, the canvas painter on a software renderer), or either one. */
export const MAP_RENDERERS = ['auto', 'webgl2', 'canvas2d'] as const;
export type MapRendererSetting = (typeof MAP_RENDERERS)[number];

/** User settings the webview needs (not part of the panel's saved state). */
export interface InspectorSettings {
  computeBackend: ComputeBackendSetting;
  mapRenderer: MapRendererSetting;
}

export type HostToWebview =
  | { type: 'init'; state: InspectorState; settings: InspectorSettings }
  | { type: 'settings'; settings: InspectorSettings }
  | { type: 'setConfig'; config: PatternConfig }
  | { type: 'setSequence'; sequence: Sequence }
  /** Pasted text that could not become a sequence: said next to the text box, which keeps the text. */
  | { type: 'pasteError'; message: string }
  /** Without resolution: the maps as shown. With it: every head's whole map at that many pixels a side. */
  | { type: 'requestPng'; id: number; resolution?: number }
  /** Every head's whole map as shown, as SVG. */
  | { type: 'requestSvg'; id: number };

/** Which backend computed attention for the current config, why, and how long it took. */
export interface ComputeSummary {
  backend: string;
  kernel: string;
  reason: string;
  n: number;
  heads: number;
  ms: number;
  stages: Record<string, number>;
  /** "WebGPU failed (shader compile), used the CPU path" when the chosen backend did not run. */
  fallback?: string;
  /** Rows recomputed in float64 after a GPU run, and the worst relative error among them. */
  check?: { rows: number; maxError: number };
}

/** What the maps show after each draw: the kind of map, who painted it and where pooling ran. */
export interface MapsSummary {
  n: number;
  kind: 'mask' | 'weights' | 'diff';
  renderer: 'webgl2' | 'canvas2d';
  pooledOn: 'gpu' | 'cpu' | 'worker' | 'cached';
  /** Whole cells per map side shown: n when not zoomed. */
  span: number;
}

/** What the webview reports after drawing, so the host (and its tests) know what is on screen. */
export interface RenderSummary {
  config: PatternConfig;
  heads: number;
  nnz: number[];
  unionNnz: number;
  errors: ConfigIssue[];
  warnings: string[];
  reachOk?: boolean;
  ms: number;
}

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'rendered'; summary: RenderSummary }
  | { type: 'computed'; compute: ComputeSummary }
  | { type: 'mapsDrawn'; maps: MapsSummary }
  | { type: 'computeFailed'; message: string }
  /** Attention was not computed on purpose (it would not fit): the maps show masks. */
  | { type: 'computeSkipped'; reason: string }
  /** A backend that failed before another one ran: the whole compiler text, for the output channel. */
  | { type: 'backendFailed'; backend: string; stage: string; detail: string }
  | { type: 'copyTorchSnippet' }
  | { type: 'tokenize'; text: string; tokenizer: PasteKind }
  | { type: 'export' }
  | { type: 'png'; id: number; dataUrl: string }
  | { type: 'pngFailed'; id: number; message: string }
  | { type: 'svg'; id: number; text: string }
  | { type: 'svgFailed'; id: number; message: string }
  | { type: 'stateChanged'; state: InspectorState }
  | { type: 'log'; message: string }
  | { type: 'error'; message: string };

type Check = (value: unknown) => boolean;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isString: Check = (v) => typeof v === 'string';
const isBoolean: Check = (v) => typeof v === 'boolean';
const arrayOf =
  (check: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(check);

/** Each parameter kind's shape. */
const KIND_CHECKS: Record<ParamSpec['kind'], Check> = { integer: isNumber, boolean: isBoolean, choice: isString, integers: arrayOf(isNumber) };
/** The fixed family's configs carry every field of the family (code reads them across its presets). */
const FACTORIZED_FIELDS: Record<string, Check> = { stride: isNumber, c: isNumber, subblocks: isNumber, mode: isString, layer: isNumber, bidirectional: isBoolean };

/** Shape check only, from the preset's spec: the values are judged by the core's validateConfig, which names the field. */
export function isPatternConfig(v: unknown): v is PatternConfig {
  if (!isObject(v) || !PATTERN_NAMES.includes(v.pattern as PatternConfig['pattern'])) return false;
  if (!isNumber(v.n) || !isNumber(v.heads)) return false;
  const params = patternSpec(v.pattern as PatternName).params;
  if (!params.every((param) => KIND_CHECKS[param.kind](v[param.key]))) return false;
  return !(FACTORIZED_PATTERNS as readonly string[]).includes(v.pattern as string) || Object.entries(FACTORIZED_FIELDS).every(([key, check]) => check(v[key]));
}

function isEmbeddings(v: unknown, tokens: number): boolean {
  return isObject(v) && isNumber(v.dim) && Number.isInteger(v.dim) && (v.dim as number) >= 1 && arrayOf(isNumber)(v.values) && (v.values as number[]).length === tokens * (v.dim as number);
}

function isQkv(v: unknown, tokens: number): boolean {
  if (!isObject(v) || !isNumber(v.heads) || !isNumber(v.d) || !Number.isInteger(v.heads) || !Number.isInteger(v.d) || (v.heads as number) < 1 || (v.d as number) < 1) return false;
  const size = (v.heads as number) * tokens * (v.d as number);
  return [v.q, v.k, v.v].every((t) => arrayOf(isNumber)(t) && (t as number[]).length === size);
}

export function isSequence(v: unknown): v is Sequence {
  if (!isObject(v) || !arrayOf(isString)(v.tokens) || !isString(v.source)) return false;
  const tokens = (v.tokens as string[]).length;
  return (
    (v.embeddings === undefined || isEmbeddings(v.embeddings, tokens)) &&
    (v.qkv === undefined || isQkv(v.qkv, tokens)) &&
    (v.bulkId === undefined || (isString(v.bulkId) && /^[\w-]{1,64}$/.test(v.bulkId as string)))
  );
}

export function isInspectorState(v: unknown): v is InspectorState {
  return isObject(v) && isPatternConfig(v.config) && (v.sequence === undefined || isSequence(v.sequence));
}

function isSettings(v: unknown): v is InspectorSettings {
  return (
    isObject(v) && COMPUTE_BACKENDS.includes(v.computeBackend as ComputeBackendSetting) && MAP_RENDERERS.includes(v.mapRenderer as MapRendererSetting)
  );
}

function isMapsSummary(v: unknown): v is MapsSummary {
  return (
    isObject(v) &&
    isNumber(v.n) &&
    isNumber(v.span) &&
    ['mask', 'weights', 'diff'].includes(v.kind as string) &&
    ['webgl2', 'canvas2d'].includes(v.renderer as string) &&
    ['gpu', 'cpu', 'worker', 'cached'].includes(v.pooledOn as string)
  );
}

export function parseHostMessage(v: unknown): HostToWebview | undefined {
  if (!isObject(v)) return undefined;
  switch (v.type) {
    case 'init':
      return isInspectorState(v.state) && isSettings(v.settings) ? (v as HostToWebview) : undefined;
    case 'settings':
      return isSettings(v.settings) ? (v as HostToWebview) : undefined;
    case 'setConfig':
      return isPatternConfig(v.config) ? (v as HostToWebview) : undefined;
    case 'setSequence':
      return isSequence(v.sequence) ? (v as HostToWebview) : undefined;
    case 'pasteError':
      return isString(v.message) ? (v as HostToWebview) : undefined;
    case 'requestSvg':
      return isNumber(v.id) ? (v as HostToWebview) : undefined;
    case 'requestPng':
      return isNumber(v.id) && (v.resolution === undefined || (isNumber(v.resolution) && Number.isInteger(v.resolution) && (v.resolution as number) >= 16 && (v.resolution as number) <= 8192))
        ? (v as HostToWebview)
        : undefined;
    default:
      return undefined;
  }
}

function isSummary(v: unknown): v is RenderSummary {
  return (
    isObject(v) &&
    isPatternConfig(v.config) &&
    isNumber(v.heads) &&
    arrayOf(isNumber)(v.nnz) &&
    isNumber(v.unionNnz) &&
    arrayOf((i) => isObject(i) && isString(i.field) && isString(i.message))(v.errors) &&
    arrayOf(isString)(v.warnings) &&
    isNumber(v.ms)
  );
}

function isCompute(v: unknown): v is ComputeSummary {
  return (
    isObject(v) &&
    isString(v.backend) &&
    isString(v.kernel) &&
    isString(v.reason) &&
    isNumber(v.n) &&
    isNumber(v.heads) &&
    isNumber(v.ms) &&
    isObject(v.stages) &&
    Object.values(v.stages).every(isNumber) &&
    (v.fallback === undefined || isString(v.fallback)) &&
    (v.check === undefined || (isObject(v.check) && isNumber(v.check.rows) && typeof v.check.maxError === 'number'))
  );
}

export function parseWebviewMessage(v: unknown): WebviewToHost | undefined {
  if (!isObject(v)) return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'copyTorchSnippet':
      return { type: 'copyTorchSnippet' };
    case 'export':
      return { type: 'export' };
    case 'png':
      return isNumber(v.id) && isString(v.dataUrl) && (v.dataUrl as string).startsWith('data:image/png;base64,') ? (v as WebviewToHost) : undefined;
    case 'svg':
      return isNumber(v.id) && isString(v.text) && (v.text as string).startsWith('<svg ') ? (v as WebviewToHost) : undefined;
    case 'svgFailed':
    case 'pngFailed':
      return isNumber(v.id) && isString(v.message) ? (v as WebviewToHost) : undefined;
    case 'tokenize':
      return isString(v.text) && (TOKENIZERS.includes(v.tokenizer as TokenizerName) || v.tokenizer === 'numbers' || v.tokenizer === 'qkv') ? (v as WebviewToHost) : undefined;
    case 'rendered':
      return isSummary(v.summary) ? (v as WebviewToHost) : undefined;
    case 'stateChanged':
      return isInspectorState(v.state) ? (v as WebviewToHost) : undefined;
    case 'computed':
      return isCompute(v.compute) ? (v as WebviewToHost) : undefined;
    case 'mapsDrawn':
      return isMapsSummary(v.maps) ? (v as WebviewToHost) : undefined;
    case 'computeSkipped':
      return isString(v.reason) ? (v as WebviewToHost) : undefined;
    case 'backendFailed':
      return isString(v.backend) && isString(v.stage) && isString(v.detail) ? (v as WebviewToHost) : undefined;
    case 'log':
    case 'error':
    case 'computeFailed':
      return isString(v.message) ? (v as WebviewToHost) : undefined;
    default:
      return undefined;
  }
}
