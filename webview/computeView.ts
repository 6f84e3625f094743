/**
 * The attention status line: runs attention for the current config on the chosen backend,
 * shows progress with a Cancel button, then the backend, kernel and time; a newer config
 * cancels the running job.
 */
import { attentionInputFor, attentionMemory, SYNTHETIC_D, type AttentionInput, type AttentionResult, type PatternConfig } from '../src/core';
import type { ComputeBackendSetting, Sequence, WebviewToHost } from '../src/protocol';
import { computeAttention, ComputeJob, ComputeReport } from './compute/attention';
import type { ViewWeights } from './compute/viewWeights';
import { chooseBackend, detectDevice, DeviceReport, fallbackChain } from './compute/device';

export class ComputeView {
  readonly element = document.createElement('div');
  private readonly text = document.createElement('span');
  private readonly cancelButton = document.createElement('button');
  private readonly progress = document.createElement('progress');
  private job: ComputeJob | undefined;
  private device: Promise<DeviceReport> | undefined;
  private generation = 0;
  /** The worker answering viewport requests for the current result, if it has one. */
  private views: ViewWeights | undefined;

  constructor(
    private readonly post: (message: WebviewToHost) => void,
    private readonly onResult: (result: AttentionResult, config: PatternConfig, views?: ViewWeights) => void,
  ) {
    this.element.className = 'compute-status';
    this.element.setAttribute('role', 'status');
    this.cancelButton.textContent = 'Cancel';
    this.cancelButton.type = 'button';
    this.cancelButton.hidden = true;
    this.cancelButton.addEventListener('click', () => this.cancel('Attention compute cancelled.'));
    this.progress.max = 1;
    this.progress.setAttribute('aria-label', 'Attention compute progress');
    this.element.append(this.text, this.progress, this.cancelButton);
  }

  /**
   * `withProbs`: send every probability to the page (they fit); otherwise the weight maps ask a
   * worker for each viewport.
   */
  async start(config: PatternConfig, sequence: Sequence | undefined, preference: ComputeBackendSetting, withProbs: boolean): Promise<void> {
    const generation = ++this.generation;
    this.stop();
    this.device ??= detectDevice();
    const device = await this.device;
    if (generation !== this.generation) return;
    let choice;
    try {
      choice = chooseBackend(preference, device);
    } catch (e) {
      this.show(`Attention not computed: ${(e as Error).message}`, false);
      this.post({ type: 'computeFailed', message: (e as Error).message });
      return;
    }
    const busy = `Computing attention on ${choice.backend} (n = ${config.n}, ${config.heads} heads)`;
    this.show(`${busy}…`, true);
    this.progress.value = 0;
    const onProgress = (fraction: number) => {
      if (generation !== this.generation) return;
      this.progress.value = fraction;
      this.text.textContent = `${busy}: ${Math.round(fraction * config.heads)} of ${config.heads} heads…`;
    };
    let input: AttentionInput;
    try {
      input = attentionInputFor(config, sequence);
      const d = 'synthetic' in input ? SYNTHETIC_D : input.d;
      const memory = attentionMemory(config, d);
      if (!memory.fits) {
        this.show(`Attention not computed: ${memory.message}.`, false);
        this.post({ type: 'computeSkipped', reason: memory.message });
        return;
      }
    } catch (e) {
      this.show(`Attention not computed: ${(e as Error).message}`, false);
      this.post({ type: 'computeFailed', message: (e as Error).message });
      return;
    }
    const fallbacks = fallbackChain(choice.backend, device);
    const job = computeAttention(choice.backend, config, input, { withProbs, serveViews: !withProbs, onProgress, fallbacks });
    this.job = job;
    try {
      const { result, report, views } = await job.promise;
      if (generation !== this.generation) return views?.dispose();
      this.views = views;
      this.onResult(result, config, views);
      for (const failure of report.failures ?? []) this.post({ type: 'backendFailed', ...failure });
      this.show(statusLine(report, choice.reason), false);
      const { failures: _details, ...summary } = report;
      this.post({ type: 'computed', compute: { ...summary, reason: choice.reason, n: config.n, heads: config.heads } });
    } catch (e) {
      if (generation !== this.generation) return;
      const message = (e as Error).message;
      this.show(/cancelled/.test(message) ? 'Attention compute cancelled.' : `Attention compute failed: ${message}`, false);
      if (!/cancelled/.test(message)) this.post({ type: 'computeFailed', message });
    } finally {
      if (this.job === job) this.job = undefined;
    }
  }

  cancel(text: string): void {
    this.generation++;
    this.stop();
    this.show(text, false);
  }

  private stop(): void {
    this.job?.cancel();
    this.job = undefined;
    this.views?.dispose();
    this.views = undefined;
  }

  private show(text: string, busy: boolean): void {
    this.text.textContent = text;
    this.cancelButton.hidden = !busy;
    this.progress.hidden = !busy;
    this.element.dataset.busy = String(busy);
  }
}

/**
 * One line: what ran and how long it took; after a fallback, the sentence that says so instead
 * of the reason for the first choice; after a GPU run, how many rows were checked against float64.
 */
export function statusLine(report: ComputeReport, reason: string): string {
  const ran = `${report.backend} (${report.kernel}) in ${report.ms.toFixed(1)} ms`;
  const checked = report.check ? `; ${report.check.rows} rows match float64 (max error ${report.check.maxError.toExponential(1)})` : '';
  return report.fallback ? `Attention: ${report.fallback}: ${ran}.` : `Attention: ${ran}; ${reason}${checked}`;
}
