/**
 * Issue 26's error budget of the spline path on isolated spots, fit by fit (no detection, no
 * frame): `node --import tsx test/bench/splineBudget.ts [--optics na149,na14,na12] [--spots N]
 * [--boxes 15,21] [--smooth-z NM,…] [--read-noise E] [--seed S] [--spot-fits N]`.
 *
 * For each optical model of benchOptics.ts: the bead stack the benchmark's CLI run simulates
 * (9 beads, 20 000 photons, background 50, 20 nm steps over ±800 nm, seed 6) calibrated in
 * process by calibratePsf (`bead`, once per `--smooth-z`), and the true PSF's own spline on the
 * same grid (`true`: the pupil PSF sampled at the pixel centres, 21 px, 20 nm planes, no noise).
 * `--spots` spots a 200 nm band of true z over ±600 nm (2 000 photons, 20 photons/px, Poisson
 * noise, Gaussian read noise `--read-noise` e⁻ (the simulator's 1.5 by default), rounded to whole
 * counts as the camera does), each in a window centred on the pixel it lies in, its start that
 * pixel's centre; every spot fitted through each spline in each window width `--boxes` (the
 * kernel's spline fit, as localize runs it, 50 iterations, tolerance 1e-4). Per band: the z
 * bias (mean over the inliers, |Δz| ≤ 250 nm), the outliers (and fits whose information is
 * singular, no CRLB), and for x, y and z the RMSE over the inliers against
 * - `/CRLB`: the fit's own √CRLB (RMS over the band), the precision target (≤ 1.10);
 * - `/true`: the true PSF's √CRLB at the true position through the same window (the bound the
 *   data hold);
 * - `/rep`: the uncertainty localize reports, RMS over the band: √(CRLB_z² + model²) with the
 *   calibration's model z error at the fitted z (zModelErrorAt with the fit's CRLB: √(e² + κ²·CRLB²)
 *   from calibrate-psf's thinned leave-one-bead-out; 0 for the true spline), and κ_x·CRLB_x,
 *   κ_y·CRLB_y (lateralScaleAt): the calibration target (0.9–1.1). `--spot-fits 0` calibrates
 *   without the thinned fits (the beads' own leave-one-out RMS by depth, as before).
 *
 * What it separates: `true` against the truth is the fit (the window, the estimator at this
 * information); `bead` against `true` on the same spots is the calibration; `/rep` against
 * `/CRLB` is the uncertainty.
 */
import { calibratePsf, PSF_CALIBRATION_DEFAULTS } from '../../src/astig/calibratePsf.js';
import { beadWindowsOf } from '../../src/astig/readBeadWindows.js';
import { SplineModel } from '../../src/fit/models/SplineModel.js';
import { PoissonEstimator } from '../../src/fit/PoissonEstimator.js';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import { WasmSplineFit } from '../../src/fit/WasmSplineFit.js';
import { lateralScaleAt } from '../../src/fit/lateralScaleAt.js';
import { zModelErrorAt } from '../../src/fit/zModelErrorAt.js';
import type { ZModelErrorTable } from '../../src/fit/zModelErrorAt.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';
import { Random } from '../../src/simulate/Random.js';
import { BEAD_STACK_DEFAULTS, simulateBeadStack } from '../../src/simulate/simulateBeadStack.js';
import { SplineSpotPsf } from '../../src/simulate/SplineSpotPsf.js';
import type { SpotPsf } from '../../src/simulate/SpotPsf.js';
import { OPTICS, trueSpline } from './benchOptics.js';

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
}
const opticsNames = option('--optics', 'na149,na14,na12').split(',');
const perBand = Number(option('--spots', '300'));
const boxes = option('--boxes', '15').split(',').map(Number);
/** Smoothings along z to calibrate with: σ nm, `q` before it for the local quadratic (smoothAlongZ degree 2). */
const smoothings = option('--smooth-z', `${PSF_CALIBRATION_DEFAULTS.smoothZDegree === 2 ? 'q' : ''}${PSF_CALIBRATION_DEFAULTS.smoothZNm}`).split(',');
/** Also calibrate from the same beads without noise (`clean`): what registration, averaging and smoothing cost alone. */
const clean = args.includes('--clean');
/** Draw the spots from the true spline itself (SplineSpotPsf), not the pupil PSF: the estimator alone, no model error at all. */
const fromSpline = args.includes('--from-spline');
const readNoise = Number(option('--read-noise', '1.5'));
/** The emitters this many px off their window's centre along x (where a frame's edge shifts the window inwards). */
const offsetPx = Number(option('--offset', '0'));
/** The true spline's side, px (calibrate-psf's box by default). */
const trueSide = Number(option('--true-side', String(PSF_CALIBRATION_DEFAULTS.boxPx)));
/** Pad the true spline to this side by repeating its border samples (experiment). */
const padTo = Number(option('--pad-to', '0'));
const seed = Number(option('--seed', '11'));
/** calibrate-psf's thinned fits a plane (0: the z error at the beads' brightness only, as before issue 26's spot term); its default without. */
const spotFits = args.includes('--spot-fits') ? Number(option('--spot-fits', '0')) : undefined;
for (const n of opticsNames) if (!OPTICS[n]) throw new Error(`--optics ${n}: not one of ${Object.keys(OPTICS).join(', ')}`);

const PIXEL_NM = 100;
const PHOTONS = 2000;
const BACKGROUND = 20;
const OUTLIER_NM = 250;
const BAND_NM = 200;
const RANGE_NM = 600;
const SOLVER = { maxIterations: 50, tolerance: 1e-4 };
/** The bead stack of splineVsGaussian.ts (the simulator's defaults, seed 6), as calibrate-psf reads it. */
const BEADS = { zStartNm: -800, zStepNm: 20, frames: 81, seed: 6 };
/** The true spline's grid: calibrate-psf's box, 20 nm planes over ±800 nm. */

function beadSpline(psf: PupilPsf, smoothing: string, noiseFree: boolean): { spline: SplinePsf; modelNm: number; byDepth?: ZModelErrorTable } {
  const s = simulateBeadStack({ pupil: psf.options, zStartNm: BEADS.zStartNm, zStepNm: BEADS.zStepNm, frames: BEADS.frames, seed: BEADS.seed });
  let frames = s.frames.map((f) => Float64Array.from(f, (v) => v - 100));
  if (noiseFree) {
    // The same beads (positions, photons, background), drawn without noise.
    frames = s.zNm.map((z) => {
      const image = new Float64Array(s.width * s.height).fill(BEAD_STACK_DEFAULTS.background);
      for (const b of s.beads) psf.add(image, s.width, s.height, b.xNm / PIXEL_NM, b.yNm / PIXEL_NM, BEAD_STACK_DEFAULTS.photons, z);
      return image;
    });
  }
  const windows = beadWindowsOf(frames, s.width, s.height, PSF_CALIBRATION_DEFAULTS.boxPx + 2 * PSF_CALIBRATION_DEFAULTS.marginPx);
  const r = calibratePsf([{ name: 'beads', windows, saturationPhotons: 65435 }], { zStartNm: BEADS.zStartNm, zStepNm: BEADS.zStepNm, pixelSizeNm: PIXEL_NM, smoothZNm: Number(smoothing.replace('q', '')), smoothZDegree: smoothing.startsWith('q') ? 2 : 0, zOrigin: 'stage', ...(spotFits === undefined ? {} : { spotFitsPerPlane: spotFits }) });
  return { spline: r.spline, modelNm: r.zErrorRmsNm ?? 0, byDepth: r.zErrorByDepth };
}

interface Spot { readonly data: Float64Array; readonly x: number; readonly y: number; readonly z: number; readonly band: number }

/** Spots per band, each in a window of `box` about the pixel it lies in (the emitter within it at x, y). */
function spots(psf: SpotPsf, box: number, rng: Random, photons: number): Spot[] {
  const out: Spot[] = [];
  const half = (box - 1) / 2;
  for (let band = -RANGE_NM; band < RANGE_NM; band += BAND_NM) {
    for (let k = 0; k < perBand; k++) {
      const z = band + BAND_NM * rng.uniform();
      const x = half + offsetPx + rng.uniform(), y = half + rng.uniform();
      const data = new Float64Array(box * box);
      psf.add(data, box, box, x, y, photons, z);
      for (let i = 0; i < data.length; i++) data[i] = Math.round(rng.poisson(data[i] + BACKGROUND) + readNoise * rng.normal());
      out.push({ data, x, y, z, band });
    }
  }
  return out;
}

/**
 * √CRLB of x, y (px) and z (nm) through `spline` at the true θ in a window of `box`: the
 * shifted-Poisson information of pixels whose variance is μ + σ² (σ the read noise), what the
 * spots' own noise allows.
 */
function trueBound(spline: SplinePsf, box: number, s: Spot, photons: number): [number, number, number] {
  const model = new SplineModel(box, spline);
  const estimator = new PoissonEstimator(model);
  estimator.bind(s.data, 0, new Float64Array(box * box).fill(readNoise * readNoise));
  const theta = Float64Array.of(s.x, s.y, photons, BACKGROUND, s.z);
  const out = new Float64Array(5);
  estimator.evaluate(theta);
  estimator.bound(theta, out, new Float64Array(5), new Float64Array(25));
  return [out[0], out[1], out[4]];
}

const rms = (v: number[]) => Math.sqrt(v.reduce((t, d) => t + d * d, 0) / Math.max(1, v.length));
const mean = (v: number[]) => v.reduce((t, d) => t + d, 0) / Math.max(1, v.length);

for (const name of opticsNames) {
  const optics = OPTICS[name];
  const psf = new PupilPsf(PIXEL_NM, optics.pupil);
  const { spline: truth, photonShare } = trueSpline(psf, trueSide, 20, 800, padTo);
  const splines: { label: string; spline: SplinePsf; modelNm: number; byDepth?: ZModelErrorTable }[] = [{ label: 'true', spline: truth, modelNm: 0 }];
  for (const smooth of smoothings) {
    const b = beadSpline(psf, smooth, false);
    splines.push({ label: `bead σz ${smooth}`, spline: b.spline, modelNm: b.modelNm, byDepth: b.byDepth });
    if (clean) {
      const c = beadSpline(psf, smooth, true);
      splines.push({ label: `clean σz ${smooth}`, spline: c.spline, modelNm: c.modelNm });
    }
  }
  console.log(`\n### ${name}: ${optics.label}\n\n${perBand} spots a band${fromSpline ? ' drawn from the true spline' : ''}${offsetPx ? `, ${offsetPx} px off the window's centre` : ''}, true spline ${trueSide} px, read noise ${readNoise} e⁻, seed ${seed}; bead models' leave-one-bead-out: ${splines.slice(1).map((s) => `${s.label} ${s.modelNm.toFixed(1)} nm`).join(', ')}\n`);
  console.log('| spline | box | band nm | n | out % | z bias | RMSE x / y / z nm | /CRLB x / y / z | /true x / y / z | /rep x / y / z |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const box of boxes) {
    // N as the true spline counts it (the photons in its brightest plane's box): the simulator's N is over the whole plane.
    const scale = PHOTONS * photonShare;
    const set = fromSpline ? spots(new SplineSpotPsf(truth), box, new Random(seed), scale) : spots(psf, box, new Random(seed), PHOTONS);
    // The bound the data hold: the true spline at the true θ.
    const bounds = set.map((s) => trueBound(truth, box, s, scale));
    for (const { label, spline, modelNm, byDepth } of splines) {
      const fit = new WasmSplineFit(box, spline, PIXEL_NM);
      const rows = new Map<number, { dx: number[]; dy: number[]; dz: number[]; cx: number[]; cy: number[]; cz: number[]; tx: number[]; ty: number[]; tz: number[]; rz: number[]; rx: number[]; ry: number[]; out: number }>();
      set.forEach((s, i) => {
        const half = (box - 1) / 2;
        fit.fit(s.data, 0, { x: half + offsetPx + 0.5, y: half + 0.5, photons: PHOTONS, background: BACKGROUND }, SOLVER);
        const r = rows.get(s.band) ?? rows.set(s.band, { dx: [], dy: [], dz: [], cx: [], cy: [], cz: [], tx: [], ty: [], tz: [], rz: [], rx: [], ry: [], out: 0 }).get(s.band)!;
        const dz = fit.theta[4] - s.z;
        if (!(Math.abs(dz) <= OUTLIER_NM) || !fit.crlb.every(Number.isFinite)) {
          r.out++;
          return;
        }
        r.dx.push((fit.theta[0] - s.x) * PIXEL_NM);
        r.dy.push((fit.theta[1] - s.y) * PIXEL_NM);
        r.dz.push(dz);
        r.cx.push(fit.crlb[0] * PIXEL_NM);
        r.cy.push(fit.crlb[1] * PIXEL_NM);
        r.cz.push(fit.crlb[4]);
        r.rz.push(Math.hypot(fit.crlb[4], zModelErrorAt(fit.theta[4], modelNm, byDepth, fit.crlb[4])));
        r.rx.push(fit.crlb[0] * PIXEL_NM * lateralScaleAt(fit.theta[4], byDepth, 0));
        r.ry.push(fit.crlb[1] * PIXEL_NM * lateralScaleAt(fit.theta[4], byDepth, 1));
        r.tx.push(bounds[i][0] * PIXEL_NM);
        r.ty.push(bounds[i][1] * PIXEL_NM);
        r.tz.push(bounds[i][2]);
      });
      const all = { dx: [] as number[], dy: [] as number[], dz: [] as number[], cx: [] as number[], cy: [] as number[], cz: [] as number[], tx: [] as number[], ty: [] as number[], tz: [] as number[], rz: [] as number[], rx: [] as number[], ry: [] as number[], out: 0 };
      const line = (band: string, r: typeof all) => {
        const n = r.dz.length + r.out;
        const e = [rms(r.dx), rms(r.dy), rms(r.dz)];
        const own = [rms(r.cx), rms(r.cy), rms(r.cz)];
        const bound = [rms(r.tx), rms(r.ty), rms(r.tz)];
        const reported = [rms(r.rx), rms(r.ry), rms(r.rz)];
        const f = (v: number[], d = 2) => v.map((a) => a.toFixed(d)).join(' / ');
        console.log(`| ${label} | ${box} | ${band} | ${n} | ${((100 * r.out) / n).toFixed(1)} | ${mean(r.dz).toFixed(1)} | ${f(e, 1)} | ${f(e.map((a, k) => a / own[k]))} | ${f(e.map((a, k) => a / bound[k]))} | ${f(e.map((a, k) => a / reported[k]))} |`);
      };
      for (const [band, r] of [...rows].sort((a, b) => a[0] - b[0])) {
        line(`${band}…${band + BAND_NM}`, r);
        for (const key of Object.keys(all) as (keyof typeof all)[]) {
          if (key === 'out') all.out += r.out;
          else (all[key] as number[]).push(...r[key]);
        }
      }
      line('all', all);
    }
  }
}
