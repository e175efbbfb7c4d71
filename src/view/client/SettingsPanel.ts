import type { CameraSettings, FlagValues, ViewState } from '../protocol.js';
import { el } from './dom.js';

/** What the server estimated from the opened stack (ViewState's `estimated`). */
type Estimated = NonNullable<ViewState['estimated']>;

/** One setting of the panel: a localize flag, how it is typed, and where its estimate comes from. */
interface SettingField {
  /** The localize flag, without dashes. */
  readonly flag: string;
  readonly label: string;
  readonly unit: string;
  /** number: always sent; auto: a number, or empty for localize's estimate; select; switch (on|off). */
  readonly kind: 'number' | 'auto' | 'select' | 'switch';
  readonly testid: string;
  readonly step?: string;
  readonly options?: readonly string[];
  readonly title: string;
  /** The estimated value shown next to the given one. */
  readonly estimate?: (estimated: Estimated) => number | undefined;
  readonly decimals?: number;
}

const camera = (key: keyof CameraSettings) => (estimated: Estimated) => estimated.camera?.[key];

/**
 * The settings the page shows, in localize's words (docs/cli.md): detection, PSF, camera, fit.
 * Every other flag given on the command line goes to the server as it was given.
 */
export const SETTING_FIELDS: readonly SettingField[] = [
  { flag: 'threshold', label: 'Threshold', unit: '× σ', kind: 'number', testid: 'threshold-input', step: '0.05', title: 'detection threshold K: a candidate\'s filtered value must exceed K × std(Wave.F1)' },
  { flag: 'filter', label: 'Spot filter', unit: '', kind: 'select', testid: 'filter-select', options: ['bspline7', 'thunderstorm'], title: "bspline7: 7-tap B-spline wavelet, mirrored borders; thunderstorm: ThunderSTORM's 5-tap filter" },
  { flag: 'psf-sigma', label: 'PSF σ', unit: 'nm', kind: 'auto', testid: 'psf-sigma-input', step: '1', title: 'PSF standard deviation; empty: auto, the median of free-σ fits of bright isolated spots', estimate: (e) => e.psfSigmaNm, decimals: 1 },
  { flag: 'multi-emitter', label: 'Multi-emitter', unit: '', kind: 'switch', testid: 'multi-emitter-input', title: 'fit a candidate that fails the goodness-of-fit test with more emitters' },
  { flag: 'baseline', label: 'Base level', unit: 'ADU', kind: 'auto', testid: 'baseline-input', step: '1', title: 'camera offset; empty: estimated from the first frames', estimate: camera('baselineAdu'), decimals: 1 },
  { flag: 'photons-per-adu', label: 'Gain', unit: 'e⁻/ADU', kind: 'auto', testid: 'photons-per-adu-input', step: '0.01', title: 'photoelectrons per A/D count; empty: estimated from the first frames', estimate: camera('photonsPerAdu'), decimals: 3 },
  { flag: 'read-noise', label: 'Read noise', unit: 'e⁻', kind: 'auto', testid: 'read-noise-input', step: '0.1', title: 'read noise, e⁻ rms; empty: estimated from the first frames', estimate: camera('readNoiseElectrons'), decimals: 2 },
  { flag: 'em-gain', label: 'EM gain', unit: '', kind: 'auto', testid: 'em-gain-input', step: '1', title: 'EM gain, 1 without EM; empty: 1', estimate: camera('emGain'), decimals: 1 },
];

/** The values localize treats as "not given" in an auto field. */
const AUTO_WORDS = new Set(['', 'auto']);

/**
 * The settings panel: one input per {@link SETTING_FIELDS} entry, starting from the flags given
 * on the command line (else localize's defaults, as the server reports them), with the
 * estimated camera and PSF beside the given values. `flags()` is what preview and run send:
 * the command line's flags with the panel's values over them (an emptied auto field drops its flag).
 */
export class SettingsPanel {
  readonly element: HTMLElement;
  private readonly inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  private readonly estimates = new Map<string, HTMLElement>();
  /** Each field's value as the page opened: unchanged and not given, it is not sent (localize's default applies). */
  private readonly initial = new Map<string, string>();
  private readonly message: HTMLElement;

  constructor(
    private readonly given: FlagValues,
    defaults: FlagValues,
    onChange: () => void,
  ) {
    const rows = SETTING_FIELDS.map((field) => {
      // An auto field starts empty (localize estimates it) unless given: its default is not a value to send.
      const initial = given[field.flag] ?? (field.kind === 'auto' ? undefined : defaults[field.flag]);
      const input = this.makeInput(field, initial, onChange);
      this.inputs.set(field.flag, input);
      this.initial.set(field.flag, this.valueOf(field, input));
      const estimate = el('span', { class: 'estimate', testid: `${field.testid.replace(/-input$|-select$/, '')}-estimate` });
      this.estimates.set(field.flag, estimate);
      return el(
        'label',
        { class: 'setting', title: field.title },
        el('span', { class: 'setting-name', text: field.label }),
        input,
        el('span', { class: 'unit', text: field.unit }),
        estimate,
      );
    });
    this.message = el('p', { class: 'settings-message', testid: 'settings-message', role: 'status' });
    this.element = el('div', { class: 'settings' }, ...rows, this.message);
  }

  /**
   * The flags of preview and run: the command line's, with the panel's over them. A field left as
   * it opened and not given is not sent, so an untouched page runs exactly `localize` with the
   * command line's flags; an emptied auto field drops its flag (localize estimates it).
   */
  flags(): FlagValues {
    const flags: Record<string, string> = { ...this.given };
    for (const field of SETTING_FIELDS) {
      const value = this.valueOf(field, this.inputs.get(field.flag) as HTMLInputElement | HTMLSelectElement);
      if (field.kind === 'auto' && AUTO_WORDS.has(value)) {
        if (!AUTO_WORDS.has(this.given[field.flag] ?? '')) delete flags[field.flag]; // a given 'auto' stays
      }
      else if (field.flag in this.given || value !== this.initial.get(field.flag)) flags[field.flag] = value;
    }
    return flags;
  }

  /** The panel's value of the flag named (as it would be sent). */
  value(flag: string): string | undefined {
    const field = SETTING_FIELDS.find((f) => f.flag === flag);
    const input = this.inputs.get(flag);
    return field === undefined || input === undefined ? undefined : this.valueOf(field, input);
  }

  private valueOf(field: SettingField, input: HTMLInputElement | HTMLSelectElement): string {
    if (field.kind === 'switch') return (input as HTMLInputElement).checked ? 'on' : 'off';
    return input.value.trim();
  }

  /** Shows the server's estimates (camera, PSF σ) beside the given values. */
  showEstimated(estimated: ViewState['estimated'], used?: CameraSettings): void {
    for (const field of SETTING_FIELDS) {
      const target = this.estimates.get(field.flag) as HTMLElement;
      if (field.estimate === undefined) continue;
      const fromState = estimated === null ? undefined : field.estimate(estimated);
      const fromPreview = used === undefined ? undefined : field.estimate({ camera: used });
      const value = fromState ?? fromPreview;
      target.textContent = value === undefined || !Number.isFinite(value) ? '' : `${fromState !== undefined ? 'est.' : 'used'} ${value.toFixed(field.decimals ?? 2)}`;
      target.title = fromState !== undefined ? 'estimated by localize from the first frames' : 'the value the last preview used';
    }
  }

  /** A message under the settings (a refused flag, the server's warnings), or none. */
  showMessage(text: string, kind: 'error' | 'warning' | 'none'): void {
    this.message.textContent = text;
    this.message.dataset.kind = kind;
  }

  private makeInput(field: SettingField, initial: string | undefined, onChange: () => void): HTMLInputElement | HTMLSelectElement {
    if (field.kind === 'select') {
      const select = el('select', { testid: field.testid, onchange: onChange }, ...(field.options ?? []).map((option) => el('option', { value: option, text: option })));
      if (initial !== undefined) select.value = initial;
      return select;
    }
    if (field.kind === 'switch') {
      const box = el('input', { type: 'checkbox', testid: field.testid, onchange: onChange });
      box.checked = initial === '' || initial === 'on' || initial === 'true';
      return box;
    }
    const input = el('input', {
      type: 'number',
      testid: field.testid,
      step: field.step,
      placeholder: field.kind === 'auto' ? 'auto' : undefined,
      oninput: onChange,
    });
    input.value = initial === undefined || (field.kind === 'auto' && AUTO_WORDS.has(initial)) ? '' : initial;
    return input;
  }
}
