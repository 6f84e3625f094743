/**
 * The one protocol between the extension host and the inspector webview: valibot schemas give both
 * the TypeScript types and the runtime check each side runs on every message it receives (one
 * schema per message, no switch arm per type). Pattern configs are checked against their preset's
 * spec in the registry.
 */
import * as v from 'valibot';
import { FACTORIZED_PATTERNS, PATTERN_NAMES, PatternConfig, PatternName } from './core/config';
import { patternSpec } from './core/patterns/registry';
import type { ParamSpec } from './core/patterns/spec';
import { TOKENIZERS } from './core/tokenize';

const finite = v.pipe(v.number(), v.finite());
const int = v.pipe(v.number(), v.integer());
const count = v.pipe(v.number(), v.integer(), v.minValue(1));
/** Arrays of finite numbers; a plain loop (valibot's per-item pipe took 0.45 s for 3M numbers). */
const numbers = v.custom<number[]>((x) => Array.isArray(x) && x.every((e) => typeof e === 'number' && Number.isFinite(e)), 'not an array of finite numbers');
/**
 * Tensors (pasted Q/K/V, embeddings) travel as Float32Array: structured clone, never JSON number
 * lists, across the webview boundary and to the workers.
 */
const tensor = v.custom<Float32Array>((x) => x instanceof Float32Array && x.every(Number.isFinite), 'not a Float32Array of finite numbers');

// ---- Pattern configs: the registry is their schema ----

type Check = (value: unknown) => boolean;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const is = (schema: v.GenericSchema): Check => (x) => v.is(schema, x);
/** Each parameter kind's shape. */
const KIND_CHECKS: Record<ParamSpec['kind'], Check> = { integer: is(finite), boolean: is(v.boolean()), choice: is(v.string()), integers: is(numbers) };
/** The fixed family's configs carry every field of the family (code reads them across its presets). */
const FACTORIZED_FIELDS = v.object({ stride: finite, c: finite, subblocks: finite, mode: v.string(), layer: finite, bidirectional: v.boolean() });

/** Shape check only, from the preset's spec: the values are judged by the core's validateConfig, which names the field. */
export function isPatternConfig(x: unknown): x is PatternConfig {
  if (!isObject(x) || !PATTERN_NAMES.includes(x.pattern as PatternName) || !v.is(finite, x.n) || !v.is(finite, x.heads)) return false;
  if (!patternSpec(x.pattern as PatternName).params.every((param) => KIND_CHECKS[param.kind](x[param.key]))) return false;
  return !(FACTORIZED_PATTERNS as readonly string[]).includes(x.pattern as string) || v.is(FACTORIZED_FIELDS, x);
}
const PatternConfigSchema = v.custom<PatternConfig>(isPatternConfig, 'not a pattern config');

// ---- Sequences, state and settings ----

/** How pasted text becomes a sequence: a tokenizer, numbers read as embeddings [n, d], or Q/K/V. */
export const PASTE_KINDS = [...TOKENIZERS, 'numbers', 'qkv'] as const;
const PasteKindSchema = v.picklist(PASTE_KINDS);
export type PasteKind = v.InferOutput<typeof PasteKindSchema>;

const SequenceSchema = v.pipe(
  v.object({
    tokens: v.array(v.string()),
    /** Where the tokens came from, e.g. "selection in model.py (gpt2 tokens)". */
    source: v.string(),
    /** Pasted embeddings, one row per token (row-major [tokens, dim]). */
    embeddings: v.optional(v.object({ dim: count, values: tensor })),
    /** Pasted Q, K and V, each row-major [heads, tokens, d]; heads 1 means shared by every head. */
    qkv: v.optional(v.object({ heads: count, d: count, q: tensor, k: tensor, v: tensor })),
    /**
     * Set by the host on a sequence with pasted numbers: the webview's saved state and its
     * per-render stateChanged carry the sequence without them, by this reference; the host keeps
     * the numbers (and a copy in the extension's storage for window reloads).
     */
    bulkId: v.optional(v.pipe(v.string(), v.regex(/^[\w-]{1,64}$/))),
    /** Q/K/V that are a real model's (Load Checkpoint…): which model, layer and file, for the legend. */
    model: v.optional(v.object({ name: v.string(), layer: v.pipe(int, v.minValue(0)), path: v.string() })),
  }),
  v.check((s) => !s.embeddings || s.embeddings.values.length === s.tokens.length * s.embeddings.dim, 'embeddings do not match the tokens'),
  v.check((s) => !s.qkv || [s.qkv.q, s.qkv.k, s.qkv.v].every((t) => t.length === s.qkv!.heads * s.tokens.length * s.qkv!.d), 'Q/K/V do not match the tokens'),
);
export type Sequence = v.InferOutput<typeof SequenceSchema>;
export const isSequence = (x: unknown): x is Sequence => v.is(SequenceSchema, x);

/** Everything the panel needs to come back after a hide or a window reload. */
/** The config in the user's code the panel follows (a CodeLens opened it): edits there update the maps. */
const FollowsSchema = v.object({ file: v.string(), line: v.pipe(int, v.minValue(1)), unresolved: v.array(v.string()) });
const InspectorStateSchema = v.object({ config: PatternConfigSchema, sequence: v.optional(SequenceSchema), follows: v.optional(FollowsSchema) });
export type InspectorState = v.InferOutput<typeof InspectorStateSchema>;
export const isInspectorState = (x: unknown): x is InspectorState => v.is(InspectorStateSchema, x);

/**
 * The state as saved and reported on every render: pasted numbers (tens of MiB) left out where
 * the host holds them by reference, so an edit costs the same with or without a paste.
 */
export function withoutBulk(state: InspectorState): InspectorState {
  const sequence = state.sequence;
  if (!sequence?.bulkId) return state;
  return { ...state, sequence: { tokens: sequence.tokens, source: sequence.source, bulkId: sequence.bulkId, ...(sequence.model ? { model: sequence.model } : {}) } };
}

export const COMPUTE_BACKENDS = ['auto', 'cpu', 'webasm', 'webgl2', 'webgpu'] as const;
export type ComputeBackendSetting = (typeof COMPUTE_BACKENDS)[number];
/** Who draws the maps: auto (WebGL2 on a hardware GPU, the canvas painter on a software renderer), or either one. */
export const MAP_RENDERERS = ['auto', 'webgl2', 'canvas2d'] as const;
export type MapRendererSetting = (typeof MAP_RENDERERS)[number];

/** User settings the webview needs (not part of the panel's saved state). */
const InspectorSettingsSchema = v.object({ computeBackend: v.picklist(COMPUTE_BACKENDS), mapRenderer: v.picklist(MAP_RENDERERS) });
export type InspectorSettings = v.InferOutput<typeof InspectorSettingsSchema>;

// ---- What the webview reports ----

/** Which backend computed attention for the current config, why, and how long it took. */
const ComputeSummarySchema = v.object({
  backend: v.string(),
  kernel: v.string(),
  reason: v.string(),
  n: finite,
  heads: finite,
  ms: finite,
  stages: v.record(v.string(), finite),
  /** "WebGPU failed (shader compile), used the CPU path" when the chosen backend did not run. */
  fallback: v.optional(v.string()),
  /** Rows recomputed in float64 after a GPU run, and the worst relative error among them (NaN when a row is NaN). */
  check: v.optional(v.object({ rows: finite, maxError: v.custom<number>((x) => typeof x === 'number') })),
});
export type ComputeSummary = v.InferOutput<typeof ComputeSummarySchema>;

/** What the maps show after each draw: the kind of map, who painted it and where pooling ran. */
const MapsSummarySchema = v.object({
  n: finite,
  kind: v.picklist(['mask', 'weights', 'diff']),
  renderer: v.picklist(['webgl2', 'canvas2d']),
  pooledOn: v.picklist(['gpu', 'cpu', 'worker', 'cached']),
  /** Whole cells per map side shown: n when not zoomed. */
  span: finite,
  /** What the difference view compares with (a preset, "head k", or the user's mask by name). */
  compared: v.optional(v.string()),
});
export type MapsSummary = v.InferOutput<typeof MapsSummarySchema>;

/** What the webview reports after drawing, so the host (and its tests) know what is on screen. */
const RenderSummarySchema = v.object({
  config: PatternConfigSchema,
  heads: finite,
  nnz: numbers,
  unionNnz: finite,
  errors: v.array(v.object({ field: v.string(), message: v.string() })),
  warnings: v.array(v.string()),
  reachOk: v.optional(v.boolean()),
  ms: finite,
});
export type RenderSummary = v.InferOutput<typeof RenderSummarySchema>;

// ---- The two directions ----

const message = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) => v.object({ type: v.literal(type), ...entries });

const HostToWebviewSchema = v.variant('type', [
  message('init', { state: InspectorStateSchema, settings: InspectorSettingsSchema }),
  message('settings', { settings: InspectorSettingsSchema }),
  message('setConfig', { config: PatternConfigSchema }),
  message('setSequence', { sequence: SequenceSchema }),
  /** Pasted text that could not become a sequence: said next to the text box, which keeps the text. */
  message('pasteError', { message: v.string() }),
  /** Without resolution: the maps as shown. With it: every head's whole map at that many pixels a side. */
  message('requestPng', { id: finite, resolution: v.optional(v.pipe(int, v.minValue(16), v.maxValue(8192))) }),
  /** Every head's whole map as shown, as SVG. */
  message('requestSvg', { id: finite }),
  /** How much of a real model's attention mass the pattern keeps, one line per head and the layer (empty: none). */
  message('coverage', { lines: v.array(v.string()) }),
  /** The user's own mask ([heads, n, n] or one head for all, 0/1), shown in the difference view. */
  message('compareWithMask', { name: v.string(), n: v.pipe(int, v.minValue(1)), heads: v.pipe(int, v.minValue(1)), cells: v.custom<Uint8Array>((x) => x instanceof Uint8Array) }),
]);
export type HostToWebview = v.InferOutput<typeof HostToWebviewSchema>;

const WebviewToHostSchema = v.variant('type', [
  message('ready', {}),
  message('rendered', { summary: RenderSummarySchema }),
  message('computed', { compute: ComputeSummarySchema }),
  message('mapsDrawn', { maps: MapsSummarySchema }),
  message('computeFailed', { message: v.string() }),
  /** Attention was not computed on purpose (it would not fit): the maps show masks. */
  message('computeSkipped', { reason: v.string() }),
  /** A backend that failed before another one ran: the whole compiler text, for the output channel. */
  message('backendFailed', { backend: v.string(), stage: v.string(), detail: v.string() }),
  message('copyTorchSnippet', {}),
  message('tokenize', { text: v.string(), tokenizer: PasteKindSchema }),
  message('export', {}),
  message('png', { id: finite, dataUrl: v.pipe(v.string(), v.startsWith('data:image/png;base64,')) }),
  message('pngFailed', { id: finite, message: v.string() }),
  message('svg', { id: finite, text: v.pipe(v.string(), v.startsWith('<svg ')) }),
  message('svgFailed', { id: finite, message: v.string() }),
  message('stateChanged', { state: InspectorStateSchema }),
  message('log', { message: v.string() }),
  message('error', { message: v.string() }),
]);
export type WebviewToHost = v.InferOutput<typeof WebviewToHostSchema>;

/** The check a side runs on arrival: the message as its schema reads it, or undefined when it does not fit. */
export function parserOf<S extends v.GenericSchema>(schema: S): (x: unknown) => v.InferOutput<S> | undefined {
  return (x) => {
    const result = v.safeParse(schema, x);
    return result.success ? result.output : undefined;
  };
}

/** A host message as the webview receives it. */
export const parseHostMessage = parserOf(HostToWebviewSchema);
/** A webview message as the host receives it. */
export const parseWebviewMessage = parserOf(WebviewToHostSchema);
