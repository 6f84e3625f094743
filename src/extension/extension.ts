/**
 * Activation wires the features (features/, one class each) and returns a small API for tests.
 * A next feature is one more line here.
 */
import * as vscode from 'vscode';
import { ComputeSummary, InspectorState, MapsSummary, RenderSummary } from '../protocol';
import { CheckpointFeature, CoverageShown } from './features/checkpointFeature';
import { CodeConfigFeature } from './features/codeConfigFeature';
import { ExportFeature } from './features/exportFeature';
import { guardWith } from './features/guarded';
import { InspectorFeature } from './features/inspectorFeature';
import { MaskCheckFeature, MaskCheckResult } from './features/maskCheckFeature';

/** What `getExtension(...).exports` gives: lets integration tests see what the webview drew. */
export interface InspectorApi {
  currentState(): InspectorState | undefined;
  lastRender(): RenderSummary | undefined;
  lastCompute(): ComputeSummary | undefined;
  /** What the maps show now: masks or weights, painted by whom, pooled where. */
  lastMaps(): MapsSummary | undefined;
  isVisible(): boolean;
  /** The last mask function or mask file checked against a pattern, and the verdict. */
  lastMaskCheck(): MaskCheckResult | undefined;
  /** The coverage line(s) the panel shows for a loaded checkpoint's layer under the drawn config. */
  lastCoverage(): CoverageShown | undefined;
  renderCount(): number;
  /**
   * Resolves with a render that satisfies `accept`: the last one if it does and is newer than
   * render number `after`, else the next one that does.
   */
  waitForRender(accept: (summary: RenderSummary) => boolean, options?: { after?: number; timeoutMs?: number }): Promise<RenderSummary>;
}

export function activate(context: vscode.ExtensionContext): InspectorApi {
  const log = vscode.window.createOutputChannel('Sparse Attention Inspector', { log: true });
  const guarded = guardWith(log);
  const inspectorFeature = new InspectorFeature(context, log, guarded);
  const inspector = inspectorFeature.panel;
  const maskCheck = new MaskCheckFeature(inspector, log, guarded);
  const checkpoints = new CheckpointFeature(inspector, context.extensionUri, log, guarded);
  const exports = new ExportFeature(inspector, log, guarded, (config) => checkpoints.coverageFor(config));
  context.subscriptions.push(log, inspectorFeature, exports, maskCheck, new CodeConfigFeature(inspector, log, guarded), checkpoints);

  return {
    currentState: () => inspector.currentState,
    lastRender: () => inspector.lastRender,
    lastCompute: () => inspector.lastCompute,
    lastMaps: () => inspector.lastMaps,
    isVisible: () => inspector.isVisible,
    lastMaskCheck: () => maskCheck.last,
    lastCoverage: () => checkpoints.lastCoverage,
    renderCount: () => inspector.renderCount,
    waitForRender: (accept, { after = -1, timeoutMs = 30000 } = {}) =>
      new Promise((resolve, reject) => {
        const last = inspector.lastRender;
        if (last && inspector.renderCount > after && accept(last)) return resolve(last);
        const timer = setTimeout(() => {
          subscription.dispose();
          reject(new Error(`no matching render within ${timeoutMs} ms (last: ${JSON.stringify(inspector.lastRender)})`));
        }, timeoutMs);
        const subscription = inspector.onRender((summary) => {
          if (!accept(summary)) return;
          clearTimeout(timer);
          subscription.dispose();
          resolve(summary);
        });
      }),
  };
}

export function deactivate(): void {}
