/**
 * The inspector webview: a config form, the maps (masks, then attention weights), the engine's
 * statistics and the attention status line. Masks and statistics come from src/core here; the host
 * supplies state and settings, tokenizes pasted text and writes exports.
 */
import { buildPattern, ConfigIssue, denseMask, inspectorIssues, PatternAnalysis, PatternConfig, PatternMask, validateConfig } from '../src/core';
import { defaultConfig, PatternName, switchPreset } from '../src/core/config';
import { HostToWebview, InspectorSettings, PasteKind, InspectorState, isInspectorState, parseHostMessage, RenderSummary, WebviewToHost, withoutBulk } from '../src/protocol';
import { setWorkerUrl } from './compute/attention';
import { ComputeView } from './computeView';
import { PatternWorker } from './compute/patternWorker';
import { StoredWeights, WorkerWeights } from './weightSource';
import { describeConfig, fieldsFor, FieldSpec } from './fields';
import { MapsView } from './mapsView';
import { statsTable } from './statsView';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: InspectorState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The exact 2-hop check costs about n·row² steps; above this n the UI skips it (the CLI can run it). */
const UI_REACH_LIMIT = 2048;
/**
 * Up to this n (and MAX_WEIGHT_CELLS) every probability comes to the page, for the GPU painter and
 * exact hovers; beyond, the attention worker pools each viewport's weights on demand.
 */
const PROBS_IN_PAGE_N = 16384;
/** The worker analysing the newest config; a newer config terminates it (cancellation). */
let analysing: PatternWorker | undefined;
let renderGeneration = 0;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let state: InspectorState = isInspectorState(vscode.getState()) ? (vscode.getState() as InspectorState) : { config: defaultConfig('fixed') };
let settings: InspectorSettings = { computeBackend: 'auto', mapRenderer: 'auto' };
let pending: number | undefined;
if (app.dataset.workerUrl) setWorkerUrl(app.dataset.workerUrl);

function post(message: WebviewToHost): void {
  vscode.postMessage(message);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The page skeleton is built once; the form is rebuilt whenever the host sends a state. */
const form = el('form', { className: 'config', ariaLabel: 'Pattern configuration' });
form.addEventListener('submit', (e) => e.preventDefault());
const sequenceView = el('section', { className: 'sequence', ariaLabel: 'Sequence' });
const messages = el('section', { className: 'messages' });
messages.setAttribute('aria-live', 'polite');
const maps = new MapsView((summary) => post({ type: 'mapsDrawn', maps: summary }));
/** Probabilities travel to the page up to this many cells over all heads; beyond, the worker pools each viewport on demand. */
const MAX_WEIGHT_CELLS = 8_000_000;
const stats = el('section', { className: 'stats', ariaLabel: 'Statistics' });
/** A real model's attention mass kept by the pattern (the host computes it for each config). */
const coverageView = el('section', { className: 'coverage', ariaLabel: 'Coverage of the model\'s attention', hidden: true });
// The maps read weights through one source: stored probabilities, or the worker per viewport.
const compute = new ComputeView(post, (result, config, views) => {
  const weights = views ? new WorkerWeights(views) : result.probs ? new StoredWeights(result.probs) : undefined;
  if (weights) maps.setWeights(config, weights);
});
const copySnippet = el('button', { type: 'button', className: 'action', title: 'Copies Python that builds this mask as a torch bool tensor [H, n, n]' }, 'Copy PyTorch snippet');
copySnippet.addEventListener('click', () => post({ type: 'copyTorchSnippet' }));
const exportButton = el('button', { type: 'button', className: 'action' }, 'Export…');
exportButton.addEventListener('click', () => post({ type: 'export' }));
const actions = el('div', { className: 'actions' }, copySnippet, exportButton);

/** Paste a sequence: the host tokenizes it (one tokenizer, shared with Inspect Selection). */
const pasteText = el('textarea', { id: 'paste-text', rows: 3, placeholder: 'Paste text to use as the sequence' });
const pasteTokenizer = el(
  'select',
  { id: 'paste-tokenizer' },
  ...[
    ['gpt2', 'GPT-2 BPE'],
    ['whitespace', 'whitespace'],
    ['characters', 'characters'],
    ['numbers', 'numbers: embeddings [n, d] (JSON or CSV rows)'],
    ['qkv', 'numbers: Q, K, V as JSON {"q", "k", "v"}, each [n, d] or [heads, n, d]'],
  ].map(([value, text]) => el('option', { value }, text)),
);
const pasteButton = el('button', { type: 'button', className: 'action' }, 'Use as sequence');
const pasteError = el('p', { id: 'paste-error', className: 'field-error paste-error' });
pasteError.setAttribute('role', 'alert');
pasteText.setAttribute('aria-describedby', pasteError.id);
pasteButton.addEventListener('click', () => {
  pasteError.textContent = '';
  pasteText.removeAttribute('aria-invalid');
  post({ type: 'tokenize', text: pasteText.value, tokenizer: pasteTokenizer.value as PasteKind });
});
const paste = el(
  'details',
  { className: 'paste' },
  el('summary', {}, 'Sequence from text'),
  el('label', { htmlFor: 'paste-text' }, 'Text'),
  pasteText,
  el('label', { htmlFor: 'paste-tokenizer' }, 'Read as'),
  pasteTokenizer,
  pasteButton,
  pasteError,
);
/**
 * The maps lead: a compact config bar (the form folds to a one-line summary) with the actions, the
 * messages, the maps with their toolbar, then a quiet status line (attention, painting times),
 * the statistics and the sequence.
 */
const configSummary = el('summary', { className: 'config-summary' });
/** Which config in the user's code the panel follows, when a CodeLens opened it. */
const followsLine = el('p', { className: 'follows', role: 'status' });
const configBar = el('details', { className: 'config-bar', open: true }, configSummary, followsLine, form);
const statusLine = el('footer', { className: 'status-line' }, compute.element, maps.rendererLabel);
app.replaceChildren(
  el('h1', { className: 'sr-only' }, 'Sparse Attention Inspector'),
  el('header', { className: 'top-bar' }, configBar, actions),
  messages,
  coverageView,
  maps.element,
  statusLine,
  stats,
  sequenceView,
  paste,
);
app.removeAttribute('aria-busy');

function fieldValue(spec: FieldSpec, input: HTMLInputElement | HTMLSelectElement): unknown {
  if (spec.kind === 'checkbox') return (input as HTMLInputElement).checked;
  if (spec.kind === 'number') return input.value.trim() === '' ? NaN : Number(input.value);
  // "4, 8" is [4, 8]; anything not an integer stays NaN, which validation names.
  if (spec.kind === 'list') return input.value.split(/[\s,]+/).filter(Boolean).map((x) => (/^-?\d+$/.test(x) ? Number(x) : NaN));
  return input.value;
}

function buildForm(config: PatternConfig): void {
  form.replaceChildren();
  form.dataset.pattern = config.pattern;
  for (const spec of fieldsFor(config.pattern)) {
    const id = `field-${spec.key}`;
    const value = (config as unknown as Record<string, unknown>)[spec.key];
    let input: HTMLInputElement | HTMLSelectElement;
    if (spec.kind === 'select') {
      input = el('select', { id, name: spec.key }, ...spec.options!.map((o) => el('option', { value: o, selected: o === value }, o)));
    } else if (spec.kind === 'checkbox') {
      input = el('input', { id, name: spec.key, type: 'checkbox', checked: value === true });
    } else if (spec.kind === 'list') {
      input = el('input', { id, name: spec.key, type: 'text', value: Array.isArray(value) ? value.join(', ') : '', placeholder: 'none' });
    } else {
      input = el('input', { id, name: spec.key, type: 'number', value: String(value), min: String(spec.min ?? 0), step: '1' });
    }
    if (spec.title) input.title = spec.title;
    const error = el('span', { id: `${id}-error`, className: 'field-error' });
    input.setAttribute('aria-describedby', error.id);
    input.addEventListener(spec.kind === 'number' || spec.kind === 'list' ? 'input' : 'change', () => onFieldChange(spec, input));
    form.append(el('div', { className: `field field-${spec.kind}` }, el('label', { htmlFor: id }, spec.label), input, error));
  }
}

function onFieldChange(spec: FieldSpec, input: HTMLInputElement | HTMLSelectElement): void {
  // Except for values the code does not say (unknown there), a change here leaves the code's config.
  if (state.follows && !state.follows.unresolved.includes(spec.key)) state = { ...state, follows: undefined };
  if (spec.key === 'pattern') {
    // Keep every value the presets share (n, heads, l, c, …); only what the new one rejects resets.
    state = { ...state, config: switchPreset(state.config, input.value as PatternName) };
    buildForm(state.config);
    scheduleRender(0);
    return;
  }
  state = { ...state, config: { ...state.config, [spec.key]: fieldValue(spec, input) } as PatternConfig };
  scheduleRender(150);
}

function showIssues(issues: ConfigIssue[]): void {
  for (const span of form.querySelectorAll<HTMLElement>('.field-error')) span.textContent = '';
  for (const input of form.querySelectorAll('input, select')) input.removeAttribute('aria-invalid');
  const unplaced: string[] = [];
  for (const issue of issues) {
    const span = form.querySelector<HTMLElement>(`#field-${issue.field}-error`);
    if (span) {
      span.textContent = issue.message;
      form.querySelector(`#field-${issue.field}`)?.setAttribute('aria-invalid', 'true');
    } else unplaced.push(issue.message);
  }
  return void unplaced.forEach((m) => messages.append(el('p', { className: 'error' }, m)));
}

function showSequence(): void {
  const sequence = state.sequence;
  if (!sequence) return void sequenceView.replaceChildren();
  const n = state.config.n;
  const shown = sequence.tokens.slice(0, Math.min(n, 256));
  const strip = el('div', { className: 'tokens' }, ...shown.map((t, i) => el('span', { className: 'token', title: `position ${i}` }, t)));
  const fit =
    n > sequence.tokens.length
      ? `; n = ${n}: positions from ${sequence.tokens.length} on are synthetic`
      : n < sequence.tokens.length
        ? `; n = ${n}: the first ${n} tokens are used`
        : '';
  const more = shown.length < Math.min(n, sequence.tokens.length) ? ` (first ${shown.length} shown)` : '';
  sequenceView.replaceChildren(el('p', {}, `Sequence: ${sequence.tokens.length} tokens from ${sequence.source}${fit}${more}`), strip);
}

function scheduleRender(delayMs: number): void {
  if (pending !== undefined) clearTimeout(pending);
  pending = window.setTimeout(() => {
    pending = undefined;
    render();
  }, delayMs);
}

function render(): void {
  const started = performance.now();
  configSummary.textContent = describeConfig(state.config);
  const follows = state.follows;
  followsLine.textContent = follows
    ? `Following ${follows.file}:${follows.line}: edits there update the maps.${follows.unresolved.length ? ` Not in the code (set here): ${follows.unresolved.join(', ')}.` : ''}`
    : '';
  followsLine.hidden = !follows;
  const generation = ++renderGeneration;
  analysing?.dispose();
  analysing = undefined;
  const config = state.config;
  messages.replaceChildren();
  // The config's own rules first; then what the inspector can afford (with the estimate), before any work.
  const invalid = validateConfig(config);
  const issues = invalid.length ? invalid : inspectorIssues(config);
  showIssues(issues);
  showSequence();
  // Pasted numbers stay out of the saved state and this per-render message (the host has them).
  const saved = withoutBulk(state);
  vscode.setState(saved);
  post({ type: 'stateChanged', state: saved });
  const summary: RenderSummary = { config, heads: config.heads, nnz: [], unionNnz: 0, errors: issues, warnings: [], ms: 0 };
  if (issues.length) {
    app.dataset.status = 'invalid';
    maps.markStale('These maps are of the last valid configuration: fix the fields marked in red to update them.');
    compute.cancel('Attention not computed: fix the configuration.');
    summary.ms = performance.now() - started;
    return post({ type: 'rendered', summary });
  }
  void renderInWorker(config, summary, started, generation);
}

/**
 * A worker builds the mask and its statistics (the panel shows progress) and pools the maps per
 * viewport, so that no n blocks the panel; the page builds the mask itself only if a feature
 * needs it (the difference view, exports, hovers on the ports).
 */
async function renderInWorker(config: PatternConfig, summary: RenderSummary, started: number, generation: number): Promise<void> {
  app.dataset.status = 'analysing';
  compute.cancel('Attention waits for the pattern.');
  const progress = el('progress', { max: 1, value: 0 });
  progress.setAttribute('aria-label', 'Pattern analysis progress');
  const line = el('p', {}, `Building the mask and statistics of n = ${config.n.toLocaleString('en-US')} in a worker…`);
  // Small patterns answer within a frame or two: show progress only if it takes longer.
  const showProgress = window.setTimeout(() => {
    if (generation !== renderGeneration) return;
    stats.replaceChildren(el('div', { className: 'analysis-progress' }, line, progress));
    maps.markStale(`n = ${config.n.toLocaleString('en-US')}: the maps follow when the worker has built the pattern`);
  }, 150);
  try {
    const worker = await PatternWorker.start();
    if (generation !== renderGeneration) return worker.dispose();
    analysing = worker;
    const { analysis } = await worker.analyze(config, UI_REACH_LIMIT, (f) => (progress.value = f));
    window.clearTimeout(showProgress);
    if (generation !== renderGeneration) return;
    analysing = undefined; // the maps own it now
    showAnalysis(config, () => buildPattern(config), analysis, summary, worker);
  } catch (e) {
    if (generation !== renderGeneration || /replaced/.test((e as Error).message)) return;
    app.dataset.status = 'failed';
    post({ type: 'error', message: `could not draw ${config.pattern} (n=${config.n}): ${(e as Error).message}` });
  }
  summary.ms = performance.now() - started;
  post({ type: 'rendered', summary });
}

/** Maps, statistics, warnings and the attention compute for an analysed config. */
function showAnalysis(config: PatternConfig, mask: PatternMask | (() => PatternMask), analysis: PatternAnalysis, summary: RenderSummary, worker: PatternWorker): void {
  const nnz = analysis.stats.heads.map((h) => h.nnz);
  maps.show(config, mask, nnz, analysis.stats.union.nnz, state.sequence, worker);
  stats.replaceChildren(statsTable(analysis));
  for (const w of analysis.warnings) messages.append(el('p', { className: 'warning' }, `⚠ ${w}`));
  if (analysis.note) messages.append(el('p', { className: 'note' }, analysis.note));
  Object.assign(summary, { nnz, unionNnz: analysis.stats.union.nnz, warnings: analysis.warnings, reachOk: analysis.reach.checked ? analysis.reach.ok : undefined });
  app.dataset.status = 'rendered';
  const cells = nnz.reduce((a, b) => a + b, 0);
  // Past PROBS_IN_PAGE_N probabilities never come to the page: pooling them here would block it.
  void compute.start(config, state.sequence, settings.computeBackend, cells <= MAX_WEIGHT_CELLS && config.n <= PROBS_IN_PAGE_N);
}

function apply(next: InspectorState): void {
  state = next;
  buildForm(state.config);
  showSequence();
  scheduleRender(0);
}

window.addEventListener('message', (event: MessageEvent) => {
  const message: HostToWebview | undefined = parseHostMessage(event.data);
  if (!message) return post({ type: 'log', message: `ignored a malformed message: ${JSON.stringify(event.data)?.slice(0, 200)}` });
  if (message.type === 'init') {
    settings = message.settings;
    maps.setRenderer(settings.mapRenderer);
    apply(message.state);
  } else if (message.type === 'settings') {
    const recompute = message.settings.computeBackend !== settings.computeBackend;
    settings = message.settings;
    // A new renderer only repaints the maps; a new backend computes attention again.
    maps.setRenderer(settings.mapRenderer);
    if (recompute) scheduleRender(0);
  } else if (message.type === 'setConfig') apply({ ...state, config: message.config });
  else if (message.type === 'requestSvg') {
    maps.fullSvg().then(
      (text) => post({ type: 'svg', id: message.id, text }),
      (e: Error) => post({ type: 'svgFailed', id: message.id, message: e.message }),
    );
  } else if (message.type === 'requestPng') {
    const { id, resolution } = message;
    (resolution ? maps.fullPng(resolution) : Promise.resolve().then(() => maps.toPng())).then(
      (dataUrl) => post({ type: 'png', id, dataUrl }),
      (e: Error) => post({ type: 'pngFailed', id, message: e.message }),
    );
  } else if (message.type === 'coverage') {
    coverageView.replaceChildren(...message.lines.map((line, k) => el(k === 0 ? 'h2' : 'p', {}, line)));
    coverageView.hidden = message.lines.length === 0;
  } else if (message.type === 'compareWithMask') {
    const { name, n, heads, cells } = message;
    if (cells.length !== heads * n * n) return post({ type: 'error', message: `the mask ${name} has ${cells.length} cells, not ${heads} × ${n} × ${n}` });
    maps.compareWithMask(name, denseMask(cells, heads, n, heads));
  } else if (message.type === 'pasteError') {
    pasteError.textContent = message.message;
    pasteText.setAttribute('aria-invalid', 'true');
    paste.open = true;
  } else {
    pasteError.textContent = '';
    pasteText.removeAttribute('aria-invalid');
    // n follows the sequence; pasted per-head Q/K/V also set the number of heads.
    const heads = message.sequence.qkv && message.sequence.qkv.heads > 1 ? message.sequence.qkv.heads : state.config.heads;
    apply({ ...state, sequence: message.sequence, config: { ...state.config, n: message.sequence.tokens.length, heads } });
  }
});

buildForm(state.config);
showSequence();
// VS Code swaps the body's theme class (vscode-light / vscode-dark / vscode-high-contrast):
// the maps read their colours from the theme, so they are redrawn.
new MutationObserver(() => {
  if (app.dataset.status) scheduleRender(0);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// The host answers with init (first open, re-show, or reload); rendering waits for it so that a
// stale default never overwrites the host's state.
post({ type: 'ready' });
