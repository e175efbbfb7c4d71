import type { AstigmatismCurves } from './AstigmaticModel.js';
import { AstigmaticModel } from './AstigmaticModel.js';
import {
  LEAVE_PATCH_PX,
  MAX_SHRINK,
  MAX_SIGMA_STEP,
  MAX_Z_STEP_NM,
  MIN_BACKGROUND,
  MIN_PHOTONS,
  Z_EDGE_NM,
  Z_START_HIGH,
  Z_START_LOW,
  Z_START_MID,
} from '../fitConstants.js';
import { FIT_DEFAULTS } from '../FitOptions.js';
import { GaussianModel } from './GaussianModel.js';
import type { PsfModel, PsfParameter } from '../PsfModel.js';
import { SplineModel } from './SplineModel.js';
import type { SplinePsf } from '../spline/SplinePsf.js';

/** What a model is made from besides the window width. */
export interface PsfModelSettings {
  /** The PSF σ, px (the 2-D models: fixed, or the start with σ free). */
  readonly sigmaPx?: number;
  /** The defocus curves (the 3-D model). */
  readonly curves?: AstigmatismCurves;
  /** The measured PSF as a tricubic spline (the spline model). */
  readonly spline?: SplinePsf;
}

/** One registered PSF model. */
export interface PsfModelEntry {
  /** The model's name (its class's `name`). */
  readonly name: string;
  /** What it models, in one line, with the design note's section. */
  readonly description: string;
  /**
   * θ's parameters in order, with the bounds that hold for every window and calibration; a
   * bound that depends on them is +∞ (or −∞) here and stated in {@link description}: the free
   * σ's max is half the box (defaultSigmaRangePx of FitOptions.ts), the 3-D model's z range is
   * its calibration's. A created model's `parameters` hold its own bounds.
   */
  readonly parameters: readonly PsfParameter[];
  /** The named constants (fitConstants.ts) its steps, floors and starts use. */
  readonly constants: Readonly<Record<string, number>>;
  /**
   * A model of the window width `box` (px).
   * @throws RangeError where a setting the model needs is missing
   */
  readonly create: (box: number, settings: PsfModelSettings) => PsfModel;
}

/** Step limits and floors every model shares (its x, y, N, b). */
const SHARED = { MIN_PHOTONS, MIN_BACKGROUND, MAX_SHRINK, LEAVE_PATCH_PX } as const;

/** The setting `key` or a RangeError naming the model. */
function need<K extends keyof PsfModelSettings>(settings: PsfModelSettings, key: K, model: string): NonNullable<PsfModelSettings[K]> {
  const v = settings[key];
  if (v === undefined) throw new RangeError(`PSF model ${model} needs ${key}`);
  return v as NonNullable<PsfModelSettings[K]>;
}

/**
 * Every PSF model of the JavaScript side, by name. Each serves the one estimator
 * (PoissonEstimator.ts), the one solver (FisherScoring.ts), the one CRLB (cramerRaoBound.ts)
 * and the multi-emitter sum (MultiEmitterModel.ts). Adding a model: its file implementing
 * {@link PsfModel}, one entry here, its constants in fitConstants.ts, and its case in
 * test/fit/PsfModel.test.ts (which fails for a registered model without one).
 */
export const PSF_MODELS: Readonly<Record<string, PsfModelEntry>> = {
  [GaussianModel.FIXED_SIGMA_NAME]: {
    name: GaussianModel.FIXED_SIGMA_NAME,
    description: 'pixel-integrated isotropic 2-D Gaussian of fixed σ (design.md §3)',
    parameters: GaussianModel.FIXED_SIGMA_PARAMETERS,
    constants: SHARED,
    create: (box, s) => new GaussianModel(box, need(s, 'sigmaPx', GaussianModel.FIXED_SIGMA_NAME), false),
  },
  [GaussianModel.FREE_SIGMA_NAME]: {
    name: GaussianModel.FREE_SIGMA_NAME,
    description: `pixel-integrated isotropic 2-D Gaussian with σ fitted in [${FIT_DEFAULTS.sigmaMinPx}, box/2] px (design.md §3)`,
    parameters: GaussianModel.FREE_SIGMA_PARAMETERS,
    constants: { ...SHARED, MAX_SIGMA_STEP },
    create: (box, s) => new GaussianModel(box, need(s, 'sigmaPx', GaussianModel.FREE_SIGMA_NAME), true),
  },
  [AstigmaticModel.NAME]: {
    name: AstigmaticModel.NAME,
    description: 'astigmatic 3-D Gaussian, σx(z), σy(z) from defocus curves, z in their range (design.md §8)',
    parameters: AstigmaticModel.parametersOf([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]),
    constants: { ...SHARED, MAX_Z_STEP_NM, Z_EDGE_NM, Z_START_LOW, Z_START_MID, Z_START_HIGH },
    create: (box, s) => new AstigmaticModel(box, need(s, 'curves', AstigmaticModel.NAME)),
  },
  [SplineModel.NAME]: {
    name: SplineModel.NAME,
    description: 'measured 3-D PSF as a tricubic spline (Li et al. 2018), read at pixel centres, z in its range (design.md §8)',
    parameters: SplineModel.parametersOf([Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]),
    constants: { ...SHARED, MAX_Z_STEP_NM, Z_EDGE_NM, Z_START_LOW, Z_START_MID, Z_START_HIGH },
    create: (box, s) => new SplineModel(box, need(s, 'spline', SplineModel.NAME)),
  },
};
