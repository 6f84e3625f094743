/**
 * The controls above the maps, each labelled and keyboard-reachable: what to show (masks or
 * weights), the weight scale, a comparison, which head to focus, the threshold, and Reset zoom with
 * the view and renderer lines. The maps view reads their values and redraws on `onChange`.
 */
import { PATTERN_NAMES } from '../src/core/config';
import type { PatternConfig } from '../src/core';
import type { WeightScale } from './weightMaps';
import type { MaskPooling } from './compute/workerProtocol';

export type MapKind = 'mask' | 'weights';

export class MapControls {
  readonly element = document.createElement('div');
  readonly viewLabel = document.createElement('span');
  readonly rendererLabel = document.createElement('span');
  private readonly kindSelect = document.createElement('select');
  private readonly scaleSelect = document.createElement('select');
  private readonly compareSelect = document.createElement('select');
  private readonly focusSelect = document.createElement('select');
  private readonly threshold = document.createElement('input');
  private readonly poolingSelect = document.createElement('select');
  /** Once the user picks what to show, computed weights no longer switch it for them. */
  userChoseKind = false;
  /** The name of the user's mask the host sent, offered as a comparison. */
  private userMask?: string;
  /** A comparison chosen before the first config arrived: selected once its option exists. */
  private pendingComparison?: string;

  constructor(onChange: () => void, onReset: () => void) {
    this.element.className = 'map-controls';
    this.addSelect('map-kind', 'Show', this.kindSelect, [['mask', 'masks'], ['weights', 'attention weights']], onChange);
    this.kindSelect.addEventListener('change', () => (this.userChoseKind = true));
    this.addSelect('map-scale', 'Weight scale', this.scaleSelect, [['log', 'log (1e-4 .. 1)'], ['linear', 'linear']], onChange);
    this.addSelect('map-compare', 'Compare with', this.compareSelect, [], onChange);
    this.addSelect('map-focus', 'Focus', this.focusSelect, [], onChange);
    this.addSelect(
      'map-pooling',
      'Mask pixels',
      this.poolingSelect,
      [
        ['auto', 'auto (share when zoomed out)'],
        ['any', 'any allowed cell: every one visible'],
        ['share', 'share of allowed cells'],
      ],
      onChange,
    );
    this.addThreshold(onChange);
    const reset = document.createElement('button');
    reset.type = 'button';
    reset.textContent = 'Reset zoom';
    reset.addEventListener('click', onReset);
    this.viewLabel.className = 'view-label';
    this.viewLabel.setAttribute('aria-live', 'polite');
    this.rendererLabel.className = 'renderer-label';
    this.element.append(reset, this.viewLabel, this.rendererLabel);
  }

  private addSelect(id: string, label: string, select: HTMLSelectElement, options: Array<[string, string]>, onChange: () => void): void {
    select.id = id;
    for (const [value, text] of options) select.append(new Option(text, value));
    select.addEventListener('change', onChange);
    const l = document.createElement('label');
    l.htmlFor = id;
    l.textContent = label;
    this.element.append(l, select);
  }

  /** Weights below the threshold are drawn as "allowed, below threshold" (never as masked). */
  private addThreshold(onChange: () => void): void {
    Object.assign(this.threshold, { id: 'map-threshold', type: 'range', min: '0', max: '1', step: '0.01', value: '0' });
    this.threshold.addEventListener('input', () => {
      this.threshold.setAttribute('aria-valuetext', this.thresholdValue() ? `weights below ${this.thresholdValue().toPrecision(2)} dimmed` : 'off');
      onChange();
    });
    const label = document.createElement('label');
    label.htmlFor = 'map-threshold';
    label.textContent = 'Threshold';
    this.element.append(label, this.threshold);
  }

  private static fill(select: HTMLSelectElement, options: Array<[string, string]>): void {
    const keep = select.value;
    select.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
    select.value = options.some(([value]) => value === keep) ? keep : '';
  }

  /** Comparisons (the user's mask, other presets with the same parameters, the config's own heads) and focus choices. */
  setConfig(config: PatternConfig, heads: number): void {
    const each = (make: (h: number) => [string, string]) => Array.from({ length: heads }, (_, h) => make(h));
    MapControls.fill(this.compareSelect, [
      ['', 'nothing'],
      ...(this.userMask ? [[`mask:${this.userMask}`, `your mask: ${this.userMask}`] as [string, string]] : []),
      ...each((h) => [`head:${h}`, `head ${h} of this pattern`]),
      ...PATTERN_NAMES.filter((p) => p !== config.pattern).map((p): [string, string] => [p, p]),
    ]);
    MapControls.fill(this.focusSelect, [['', 'all heads'], ...each((h) => [String(h), `head ${h}`]), ['-1', 'union (max over heads)']]);
    if (this.pendingComparison) this.compareSelect.value = this.pendingComparison;
    this.pendingComparison = undefined;
  }

  get kind(): MapKind {
    return this.kindSelect.value as MapKind;
  }

  showWeights(): void {
    if (!this.userChoseKind) this.kindSelect.value = 'weights';
  }

  get scale(): WeightScale {
    return this.scaleSelect.value as WeightScale;
  }

  /** Slider position to a weight: 0 is off; otherwise 1e-4 .. 1 on the log scale, 0 .. 1 on the linear. */
  thresholdValue(): number {
    const t = Number(this.threshold.value);
    if (t === 0) return 0;
    return this.scale === 'log' ? 10 ** (-4 + 4 * t) : t;
  }

  /** Scale and threshold only mean something on weight maps. */
  set weightsShown(shown: boolean) {
    this.scaleSelect.disabled = !shown;
    this.threshold.disabled = !shown;
  }

  /**
   * How a mask pixel covering many cells is shown. Auto: the share of allowed cells once a pixel
   * covers more than 16 × 16 cells (where "any allowed" fills every pixel), else any allowed cell.
   */
  maskPooling(cellsPerPixel: number): MaskPooling {
    const chosen = this.poolingSelect.value as 'auto' | MaskPooling;
    return chosen !== 'auto' ? chosen : cellsPerPixel > 16 ? 'share' : 'any';
  }

  /** '' (nothing), 'head:k', 'mask:name' (the user's mask) or a preset name. */
  get comparison(): string {
    return this.compareSelect.value;
  }

  /** Offers the user's mask as a comparison and selects it (now, or when the first config arrives). */
  compareWithUserMask(name: string, config?: PatternConfig): void {
    this.userMask = name;
    if (!config) {
      this.pendingComparison = `mask:${name}`;
      return;
    }
    this.setConfig(config, config.heads);
    this.compareSelect.value = `mask:${name}`;
  }

  /** The focused head (-1: the union), or undefined for all heads side by side. */
  get focus(): number | undefined {
    return this.focusSelect.value === '' ? undefined : Number(this.focusSelect.value);
  }

  set focus(head: number | undefined) {
    this.focusSelect.value = head === undefined ? '' : String(head);
  }
}
