// ../EmitterSelector.ts in the fit kernel: how many emitters a window holds. One emitter is
// fitted, then one more at the residual's peak while the likelihood-ratio test keeps the larger
// model (MultiEmitterFit.ts fits each); the model chosen is fitted to the full tolerance and
// bounded. The same fits, tests and constants, in the same order, as the JavaScript select.
import {
  MAX_MULTI_PARAMETERS, MIN_EMITTER_PHOTONS, MIN_RESIDUAL_SIGNIFICANCE, MIN_START_BACKGROUND, MIN_START_PHOTONS,
  MIN_TRIAL_ITERATIONS, MULTI_OUT_EMITTERS, MULTI_OUT_ITERATIONS, MULTI_OUT_LOG_LIKELIHOOD, MULTI_OUT_RESIDUAL_STD,
  MULTI_OUT_STATUS, MULTI_OUTPUT_COLUMNS, NEW_EMITTER_PHOTONS_FACTOR, STATUS_CONVERGED, STATUS_SINGULAR,
  TRIAL_ITERATION_SHARE, TRIAL_TOLERANCE_PX,
} from '../fitConstants';
import {
  MCR, MITER, MLL, MTH, MW, PEAK_COLUMN, PEAK_EXCESS, PEAK_ROW, PEAK_SIGNIFICANCE, multiBound, multiFit, multiPrepare,
  multiRefresh, multiResidualPeak, multiResidualStd, multiWindow,
} from './MultiEmitterFit';

let MK: i32 = 5;
let MLLR: f64 = Infinity;
/** θ of the largest model kept so far. */
const MBEST = new StaticArray<f64>(MAX_MULTI_PARAMETERS);
/** The chosen model: ℓ, iterations, residual std, status, K (MULTI_OUT_*). */
const MOUT = new StaticArray<f64>(MULTI_OUTPUT_COLUMNS);

/**
 * Set the multi-emitter selection: window width (px, ≤ MAX_WINDOW), most emitters (≤
 * MAX_EMITTERS), and the likelihood-ratio statistic a larger model must exceed.
 */
export function multiConfigure(window: i32, maxEmitters: i32, llrThreshold: f64): void {
  multiWindow(window);
  MK = maxEmitters; MLLR = llrThreshold;
}

/** Address of θ̂ (x₁, y₁, N₁, …, b; MAX_MULTI_PARAMETERS values), for the JavaScript side to read. */
export function multiTheta(): usize { return changetype<usize>(MTH); }
/** Address of the √CRLB of θ̂, in θ's order (MAX_MULTI_PARAMETERS values). */
export function multiCrlb(): usize { return changetype<usize>(MCR); }
/** Address of the selection's scalars, laid out by MULTI_OUT_* (MULTI_OUTPUT_COLUMNS values). */
export function multiOut(): usize { return changetype<usize>(MOUT); }

/**
 * EmitterSelector.plausible with MultiEmitterFit's neighboursOutside: every emitter brighter than
 * MIN_EMITTER_PHOTONS, anywhere the fit did not leave the window (a neighbour centred just
 * outside it is held in the model; the crowding resolver reports only emitters inside).
 */
function multiPlausible(k: i32): bool {
  for (let e = 0; e < k; e++) {
    if (!(unchecked(MTH[3 * e + 2]) > MIN_EMITTER_PHOTONS)) return false;
  }
  return true;
}

/**
 * EmitterSelector.select for the window at `data` (MW² f64 photons, row-major; `shift` 0 or the
 * camera's shift of each pixel, laid out as `data`), from one emitter at (x, y) window px with
 * `photons` on `background`; σ px, iteration limit and position tolerance (px) of the final fit.
 * θ̂ in multiTheta(), √CRLB in multiCrlb(), ℓ, iterations, residual std, status, K in multiOut().
 * @returns K (0 when even one emitter does not fit)
 */
export function multiSelect(data: usize, shift: usize, x: f64, y: f64, photons: f64, background: f64, sigma: f64, maxIterations: i32, tolerance: f64): i32 {
  multiPrepare(data, shift, sigma);
  unchecked(MOUT[MULTI_OUT_EMITTERS] = 0);
  const k = multiChoose(data, x, y, photons, background, maxIterations, tolerance);
  unchecked(MOUT[MULTI_OUT_LOG_LIKELIHOOD] = MLL);
  unchecked(MOUT[MULTI_OUT_ITERATIONS] = <f64>MITER);
  unchecked(MOUT[MULTI_OUT_EMITTERS] = <f64>k);
  return k;
}

function multiChoose(data: usize, x: f64, y: f64, photons: f64, background: f64, maxIterations: i32, tolerance: f64): i32 {
  // Models are compared after fits to a looser tolerance and a share of the iterations; the
  // chosen one is then fitted to the full tolerance.
  const trialTolerance = Math.max(tolerance, TRIAL_TOLERANCE_PX);
  const trialIterations = max<i32>(MIN_TRIAL_ITERATIONS, <i32>Math.ceil(<f64>maxIterations * TRIAL_ITERATION_SHARE));
  unchecked(MTH[0] = x);
  unchecked(MTH[1] = y);
  unchecked(MTH[2] = Math.max(photons, MIN_START_PHOTONS));
  unchecked(MTH[3] = Math.max(background, MIN_START_BACKGROUND));
  let status = multiFit(data, 1, trialIterations, trialTolerance);
  unchecked(MOUT[MULTI_OUT_STATUS] = <f64>status);
  if (status != STATUS_CONVERGED) return 0;
  let k = 1;
  let ll = MLL;
  for (let a = 0; a < 4; a++) unchecked(MBEST[a] = unchecked(MTH[a]));
  for (let next = 2; next <= MK; next++) {
    multiResidualPeak(data);
    if (!(PEAK_SIGNIFICANCE > MIN_RESIDUAL_SIGNIFICANCE)) break;
    for (let a = 0; a < 3 * k; a++) unchecked(MTH[a] = unchecked(MBEST[a]));
    unchecked(MTH[3 * k] = <f64>PEAK_COLUMN + 0.5);
    unchecked(MTH[3 * k + 1] = <f64>PEAK_ROW + 0.5);
    unchecked(MTH[3 * k + 2] = NEW_EMITTER_PHOTONS_FACTOR * PEAK_EXCESS);
    unchecked(MTH[3 * k + 3] = unchecked(MBEST[3 * k]));
    const s = multiFit(data, next, trialIterations, trialTolerance);
    if (s != STATUS_CONVERGED || !(2 * (MLL - ll) > MLLR) || !multiPlausible(next)) break;
    k = next;
    ll = MLL;
    for (let a = 0; a < 3 * k + 1; a++) unchecked(MBEST[a] = unchecked(MTH[a]));
    // The residual of the model kept, for the next emitter's start.
    multiRefresh(data, k);
  }
  for (let a = 0; a < 3 * k + 1; a++) unchecked(MTH[a] = unchecked(MBEST[a]));
  status = multiFit(data, k, maxIterations, tolerance);
  unchecked(MOUT[MULTI_OUT_STATUS] = <f64>status);
  if (status != STATUS_CONVERGED) return 0;
  if (!multiBound(data, k)) {
    unchecked(MOUT[MULTI_OUT_STATUS] = <f64>STATUS_SINGULAR);
    return 0;
  }
  unchecked(MOUT[MULTI_OUT_RESIDUAL_STD] = multiResidualStd(data));
  return k;
}
