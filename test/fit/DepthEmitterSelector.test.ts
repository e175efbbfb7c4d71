import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crowdedWindow } from '../../src/fit/crowdedWindow.js';
import { astigmaticWindow } from './astigmaticWindow.js';
import { DepthEmitterFits } from '../../src/fit/DepthEmitterFits.js';
import { DepthEmitterSelector } from '../../src/fit/DepthEmitterSelector.js';
import { resolveMultiEmitterOptions } from '../../src/fit/EmitterSelector.js';
import { MULTI_Z_PER_EMITTER, SPLIT_CHECK_ITERATIONS, STATUS_MAX_ITERATIONS } from '../../src/fit/fitConstants.js';
import { AstigmaticModel } from '../../src/fit/models/AstigmaticModel.js';
import type { AstigmatismCurves } from '../../src/fit/models/AstigmaticModel.js';
import { SplineModel } from '../../src/fit/models/SplineModel.js';
import { buildSpline } from '../../src/fit/spline/buildSpline.js';
import { WasmMultiAstigmaticFit } from '../../src/fit/WasmMultiAstigmaticFit.js';
import { WasmMultiSplineFit } from '../../src/fit/WasmMultiSplineFit.js';
import { GaussianAxis } from '../../src/fit/GaussianAxis.js';
import { defocusSigma } from '../../src/fit/models/DefocusCurve.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';
import { Random } from '../../src/simulate/Random.js';
import { noisyBeadSpline } from './spline/noisyBeadSpline.js';
import { renderSpot } from '../../src/simulate/renderSpot.js';
import { DEFAULT_ASTIGMATISM } from '../../src/simulate/simulateBeadStack.js';
import { astigmaticVolume } from './spline/astigmaticVolume.js';

const PIXEL_NM = 100;
const BOX = 15;
const W = crowdedWindow(BOX);
const CURVES: AstigmatismCurves = { ...DEFAULT_ASTIGMATISM, zRangeNm: [-600, 600], pixelSizeNm: PIXEL_NM };
/** The simulator's astigmatic PSF sampled as a measured PSF would be and splined: not the Gaussian the data are drawn with. */
const PSF = buildSpline(astigmaticVolume(DEFAULT_ASTIGMATISM, PIXEL_NM, 25, -800, 20, 81), 25, 25, 81, 20);
const OPTIONS = resolveMultiEmitterOptions();
const SOLVER = { maxIterations: 50, tolerance: 1e-4 };
const Q = MULTI_Z_PER_EMITTER;
const PHOTONS = 2000;
const BACKGROUND = 20;

// The fits in the kernel (as a run with the default engine): the selection is the same either way.
// `held`: with the model that holds the neighbours outside the window fixed (as a run makes it).
const MODELS = [
  { name: 'astigmatic Gaussian', make: (held = true) => new DepthEmitterSelector(OPTIONS, new DepthEmitterFits<AstigmaticModel>(W, BOX, (w) => new AstigmaticModel(w, CURVES), OPTIONS.maxEmitters, (m, _t, out) => ((out[0] = m.sigmaXNm), (out[1] = m.sigmaYNm)), new WasmMultiAstigmaticFit(W, CURVES)), held ? new AstigmaticModel(W, CURVES) : undefined) },
  { name: 'spline', make: (held = true) => new DepthEmitterSelector(OPTIONS, new DepthEmitterFits<SplineModel>(W, BOX, (w) => new SplineModel(w, PSF), OPTIONS.maxEmitters, (m, t, out) => m.widthsPx(t, out), new WasmMultiSplineFit(W, PSF)), held ? new SplineModel(W, PSF) : undefined) },
];

interface Emitter {
  x: number;
  y: number;
  z: number;
}

/** A W×W window of emitters (x, y px in the window, z nm) through the simulator's pixel-integrated astigmatic Gaussian, Poisson noise. */
function window(rng: Random, emitters: readonly Emitter[], photons = PHOTONS): Float64Array {
  return astigmaticWindow(rng, W, emitters, photons, BACKGROUND, PIXEL_NM);
}

/**
 * Select with the window's first candidate at `candidates[0]` (its single fit merged what is
 * near it: all the photons, z unknown) and the others as seeds at their pixels' centres (no
 * single fit to trust), as CrowdingResolver hands them over.
 */
function selectWith(selector: DepthEmitterSelector, data: Float64Array, candidates: readonly { x: number; y: number }[], photons: number, typicalPhotons = Number.NaN): number {
  const s = selector.seeds;
  s.count = candidates.length - 1;
  // The single emitter's photons: the merge's reference and the split's (in a frame the median and
  // a lower quantile of its single fits: WindowSeeds).
  s.typicalPhotons = typicalPhotons;
  s.splitPhotons = typicalPhotons;
  for (let i = 1; i < candidates.length; i++) {
    s.x[i - 1] = Math.floor(candidates[i].x) + 0.5;
    s.y[i - 1] = Math.floor(candidates[i].y) + 0.5;
    s.photons[i - 1] = Number.NaN;
    s.z[i - 1] = Number.NaN;
  }
  return selector.select(data, 0, { x: candidates[0].x, y: candidates[0].y, photons, background: BACKGROUND, z: Number.NaN }, 1.3, SOLVER);
}

/** Median of a list. */
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

/** Errors of the K = truth.length fitted emitters against the truth, paired greedily by distance (nm). */
function errors(theta: Float64Array, truth: readonly Emitter[]): { lateral: number[]; depth: number[] } {
  const lateral: number[] = [];
  const depth: number[] = [];
  const used = new Set<number>();
  for (const t of truth) {
    let best = -1;
    let bestD = Number.POSITIVE_INFINITY;
    for (let e = 0; e < truth.length; e++) {
      if (used.has(e)) continue;
      const d = Math.hypot(theta[Q * e] - t.x, theta[Q * e + 1] - t.y) * PIXEL_NM;
      if (d < bestD) [bestD, best] = [d, e];
    }
    used.add(best);
    lateral.push(bestD);
    depth.push(Math.abs(theta[Q * best + 3] - t.z));
  }
  return { lateral, depth };
}

describe('3-D crowded windows seeded by their candidates (DepthEmitterSelector)', () => {
  for (const { name, make } of MODELS) {
    test(`${name}: pairs at known lateral and axial separations, each with its candidate, found as two with small errors`, () => {
      const selector = make();
      const rng = new Random(51);
      const SEEDS = 20;
      // Lateral separation (nm) and the two depths: different z, and the same z (no help from shape).
      for (const [separationNm, z1, z2] of [[200, -250, 200], [300, -250, 200], [300, 0, 0], [500, -300, 300]]) {
        let two = 0;
        const lateral: number[] = [];
        const depth: number[] = [];
        for (let s = 0; s < SEEDS; s++) {
          const angle = rng.uniform() * Math.PI;
          const h = separationNm / PIXEL_NM / 2;
          const c = W / 2 + rng.uniform() - 0.5;
          const truth = [
            { x: c - h * Math.cos(angle), y: c - h * Math.sin(angle), z: z1 },
            { x: c + h * Math.cos(angle), y: c + h * Math.sin(angle), z: z2 },
          ];
          const k = selectWith(selector, window(rng, truth), truth, 2 * PHOTONS);
          if (k !== 2) continue;
          two++;
          const e = errors(selector.theta, truth);
          lateral.push(...e.lateral);
          depth.push(...e.depth);
        }
        const label = `${separationNm} nm apart at z ${z1} / ${z2} nm`;
        // Measured (seed 51), as two of 20 at 200 / 300 / 300 (same z) / 500 nm: astigmatic 20 / 20
        // / 18 / 18, spline 20 / 20 / 19 / 18 (the misses: a third emitter added, or one kept);
        // the limit leaves room for the scatter of 20 windows.
        assert.ok(two >= SEEDS - 4, `${label}: ${two} of ${SEEDS} as two`);
        // CRLBs at 2000 photons on b = 20: ~10–15 nm laterally, ~25 nm in z for one spot; a
        // neighbour's overlap widens them. Measured medians: lateral 10–17 nm, |Δz| 18–25 nm.
        assert.ok(median(lateral) < 30, `${label}: median lateral error ${median(lateral)} nm`);
        assert.ok(median(depth) < 60, `${label}: median |Δz| ${median(depth)} nm`);
      }
    });

    test(`${name}: a pair 300–400 nm apart along x or y at one depth, one candidate between them, is split where it has a pair's photons`, () => {
      // Two spots along a pixel axis fit as one spot elongated along it, at the wrong depth with
      // both spots' photons, and often leave no significant residual peak; the split of the
      // brightest emitter finds the second (crowdedDepthErrors.ts: most z outliers at 1 /µm² were
      // pairs fitted as one). The split needs the frame's typical single emitter (the resolver's
      // median single fit, PHOTONS here); NaN (as where the calibration does not follow its
      // beads) leaves it off. The same 40 windows each way.
      const N = 40;
      const [split, off] = [PHOTONS, Number.NaN].map((typical) => {
        const rng = new Random(7);
        const selector = make();
        let two = 0;
        const depth: number[] = [];
        for (let s = 0; s < N; s++) {
          const h = (s % 2 ? 4 : 3) / 2;
          const alongX = s % 4 < 2;
          const c = W / 2 + rng.uniform() - 0.5;
          const z = -200 + 400 * rng.uniform();
          const truth = [
            { x: alongX ? c - h : c, y: alongX ? c : c - h, z },
            { x: alongX ? c + h : c, y: alongX ? c : c + h, z },
          ];
          if (selectWith(selector, window(rng, truth), [{ x: c, y: c }], 2 * PHOTONS, typical) !== 2) continue;
          two++;
          depth.push(...errors(selector.theta, truth).depth);
        }
        return { two, depth: median(depth) };
      });
      // Measured (seed 7, 40 windows): as two with the split 32 (astigmatic) / 29 (spline),
      // without it 25 / 24; median |Δz| of the pairs found 28 / 30 nm (CRLB ~25 nm a spot). The
      // limits leave room for legitimate changes of the fit and fail without the split.
      assert.ok(split.two >= 26, `with the split: ${split.two} of ${N} as two, without: ${off.two}`);
      assert.ok(split.two - off.two >= 3, `with the split: ${split.two} of ${N} as two, without: ${off.two}`);
      assert.ok(split.depth < 60, `median |Δz| ${split.depth} nm`);
    });

    test(`${name}: a spot with one emitter's photons is not split, even where two halves fit it better (a model that is not its PSF)`, () => {
      // storm-analysis's double helix through astigmatic curves: each spot is two lobes, which
      // the model fits as one elongated spot; split along its long axis, the two halves fit the
      // lobes and pass the likelihood-ratio test (the ungated split took that movie from 93.6 to
      // 82.0 %). Drawn here as two in-focus lobes of half the photons each, 300–400 nm apart
      // along x or y (the pair of the test above at half the light): its photons are the
      // frame's typical single emitter's (the median of these windows' own single fits, as the
      // resolver's), so the photon gate keeps it as the residual alone finds it.
      const rng = new Random(71);
      const N = 40;
      const windows = Array.from({ length: N }, (_, s) => {
        const h = (s % 2 ? 4 : 3) / 2;
        const alongX = s % 4 < 2;
        const c = W / 2 + rng.uniform() - 0.5;
        const z = -200 + 400 * rng.uniform();
        const lobes = [-1, 1].map((sign) => ({ x: alongX ? c + sign * h : c, y: alongX ? c : c + sign * h, z }));
        return { image: window(rng, lobes, PHOTONS / 2), x: c, y: c };
      });
      const selector = make();
      const single: number[] = [];
      for (const w of windows) if (selectWith(selector, w.image, [w], PHOTONS) === 1) single.push(selector.theta[2]);
      const typical = median(single);
      const count = (t: number) => windows.filter((w) => selectWith(selector, w.image, [w], PHOTONS, t) > 1).length;
      const gated = count(typical);
      const open = count(0);
      const off = count(Number.NaN);
      // Measured (seed 71, 40 windows; typical 2024 / 2046 photons): as two with the gate 21
      // (astigmatic) / 19 (spline), the same as without the split; with the gate open (typical
      // 0) 26 / 23: the split would make single spots pairs.
      assert.ok(gated <= off + 1, `${gated} of ${N} split with the photon gate (typical ${typical.toFixed(0)} photons), ${off} without the split`);
      assert.ok(open >= off + 3, `${open} of ${N} split with the gate open, ${off} without the split: the case the gate is for`);
    });

    test(`${name}: a pair and a cluster of three at known separations, one candidate each, past a neighbour's light at the window's edge`, () => {
      // At 1 /µm² a window often holds the light of a neighbour centred just beyond its edge that
      // no single fit holds: the residual's largest peak is that light, its trial emitter leaves
      // the window and is refused, and the search used to end there. Now the interior's peak is
      // tried next (EDGE_PEAK_PX). Here a pair 300–400 nm apart and a triangle of three 400 nm
      // apart about the window's centre, one candidate on the first emitter, the neighbour 1 px
      // beyond a random edge; the split is off (typical photons NaN), so only the residual finds
      // the others. Found: every true emitter within 100 nm of a fitted one.
      const selector = make();
      const rng = new Random(29);
      const N = 24;
      const counts = [0, 0];
      for (let s = 0; s < N; s++) {
        const angle = 2 * Math.PI * rng.uniform();
        const c = W / 2 + rng.uniform() - 0.5;
        const beyond = [{ x: -1, y: c }, { x: W + 1, y: c }, { x: c, y: -1 }, { x: c, y: W + 1 }][s % 4];
        const pair = [0, Math.PI].map((a) => ({ x: c + ((3.5 + rng.uniform() - 0.5) / 2) * Math.cos(angle + a), y: c + ((3.5 + rng.uniform() - 0.5) / 2) * Math.sin(angle + a), z: -300 + 600 * rng.uniform() }));
        // An equilateral triangle of 4 px sides: its corners 4/√3 px from its centre.
        const cluster = [0, 1, 2].map((i) => ({ x: c + (4 / Math.sqrt(3)) * Math.cos(angle + (2 * Math.PI * i) / 3), y: c + (4 / Math.sqrt(3)) * Math.sin(angle + (2 * Math.PI * i) / 3), z: -300 + 600 * rng.uniform() }));
        [pair, cluster].forEach((truth, i) => {
          const k = selectWith(selector, window(rng, [...truth, { ...beyond, z: 0 }]), [truth[0]], PHOTONS);
          const found = truth.every((t) => Array.from({ length: k }, (_, e) => Math.hypot(selector.theta[Q * e] - t.x, selector.theta[Q * e + 1] - t.y)).some((d) => d * PIXEL_NM < 100));
          if (found) counts[i]++;
        });
      }
      // Measured (seed 29, 24 windows each): pairs 13 (astigmatic) / 14 (spline), clusters 8 / 10
      // found whole; before the interior's peak 5 / 4 and 0 / 0. The limits leave room for the
      // scatter of 24 windows and fail without it.
      assert.ok(counts[0] >= 10, `pairs: ${counts[0]} of ${N} found whole`);
      assert.ok(counts[1] >= 5, `clusters of three: ${counts[1]} of ${N} found whole`);
    });

    test(`${name}: two in-focus neighbours whose single fit strayed between them as one defocused emitter are found as two`, () => {
      // A spline's lobe starts can fit two in-focus spots 2–5 px apart as one defocused emitter
      // between them (its lobes on the spots), a fit the χ² test does not flag; the resolver sends
      // such a candidate to a window from its pixel, with that fit as the one-emitter model the
      // window's must beat by the likelihood-ratio test (step 5). Here the stray fit is given as
      // the alternative: the test must not take the pair back to it. A spot with two candidates
      // and its own fit as the alternative stays one. (That step 5 takes a ringed spot's two lobes
      // back to one emitter is held end to end by test/astig/ringedPupilLocalize.test.ts: without
      // it 32 false positives for 172 emitters, the limit 4 %.)
      const selector = make();
      const rng = new Random(73);
      const N = 20;
      let two = 0;
      let one = 0;
      for (let s = 0; s < N; s++) {
        const h = (2 + 3 * rng.uniform()) / 2;
        const angle = Math.PI * rng.uniform();
        const c = W / 2 + rng.uniform() - 0.5;
        const truth = [-1, 1].map((sign) => ({ x: c + sign * h * Math.cos(angle), y: c + sign * h * Math.sin(angle), z: -100 + 200 * rng.uniform() }));
        const seeds = selector.seeds;
        const alternative = (x: number, y: number, photons: number, z: number) => {
          seeds.hasAlternative = true;
          seeds.alternative.set([x, y, photons, BACKGROUND, z]);
        };
        alternative(c, c, 2 * PHOTONS, -450);
        if (selectWith(selector, window(rng, truth), truth, PHOTONS) === 2) two++;
        // One spot at ±400 nm (elongated), its two candidates 2 px apart along its long axis.
        const z = s % 2 ? 400 : -400;
        const spot = [{ x: c, y: c, z }];
        const along = z > 0 ? [{ x: c, y: c - 1 }, { x: c, y: c + 1 }] : [{ x: c - 1, y: c }, { x: c + 1, y: c }];
        alternative(c, c, PHOTONS, z);
        if (selectWith(selector, window(rng, spot), along, PHOTONS) === 1) one++;
      }
      // Measured (seed 73, 20 windows each): 19 / 19 (astigmatic / spline) as two, 20 / 20 as one.
      assert.ok(two >= N - 3, `${two} of ${N} pairs as two`);
      assert.ok(one >= N - 2, `${one} of ${N} single spots as one`);
    });

    test(`${name}: three emitters with their three candidates found as three`, () => {
      const selector = make();
      const rng = new Random(53);
      let three = 0;
      const N = 20;
      for (let s = 0; s < N; s++) {
        const c = W / 2;
        // A triangle of 400 nm sides at −300, 0 and +300 nm.
        const truth = [0, 1, 2].map((i) => ({ x: c + 2.31 * Math.cos((2 * Math.PI * i) / 3 + s), y: c + 2.31 * Math.sin((2 * Math.PI * i) / 3 + s), z: -300 + 300 * i }));
        if (selectWith(selector, window(rng, truth), truth, 3 * PHOTONS) === 3) three++;
      }
      // Measured (seed 53): 17 (astigmatic) and 19 (spline) of 20.
      assert.ok(three >= N - 5, `${three} of ${N} as three`);
    });

    test(`${name}: one spot wider than the model's PSF stays one emitter (its misfit's residual is not tried)`, () => {
      // A 3-D model rarely is the PSF: here the spot is drawn WIDER × the curves' widths in both
      // axes at its depth, a shape no z of the model has. Its misfit leaves a ring of excess
      // 3–5 √Σμ about the spot, which the likelihood-ratio test (its threshold assumes the model
      // right) took as more emitters; MIN_DEPTH_RESIDUAL_SIGNIFICANCE leaves it alone.
      const WIDER = 1.2;
      const rng = new Random(61);
      const N = 40;
      const selector = make();
      const ax = new GaussianAxis(W);
      const ay = new GaussianAxis(W);
      let more = 0;
      for (let s = 0; s < N; s++) {
        const spot = { x: W / 2 + rng.uniform() - 0.5, y: W / 2 + rng.uniform() - 0.5, z: -200 + 400 * rng.uniform() };
        const image = new Float64Array(W * W);
        renderSpot(image, W, 0, 0, ax, ay, spot.x, spot.y, PHOTONS, (WIDER * defocusSigma(CURVES.x, spot.z)) / PIXEL_NM, (WIDER * defocusSigma(CURVES.y, spot.z)) / PIXEL_NM);
        for (let i = 0; i < image.length; i++) image[i] = rng.poisson(image[i] + BACKGROUND);
        if (selectWith(selector, image, [spot], PHOTONS) > 1) more++;
      }
      // Measured (seed 61, 40 spots): as more than one 2 (astigmatic) / 3 (spline); with the
      // gate at 3 (MIN_RESIDUAL_SIGNIFICANCE, as before) 29 / 29. The limit leaves room for scatter.
      assert.ok(more <= 6, `${more} of ${N} single spots fitted as more than one emitter`);
    });

    test(`${name}: an isolated spot stays one, alone or with a second candidate on its defocused tail`, () => {
      const selector = make();
      const rng = new Random(57);
      const N = 100;
      let alone = 0;
      let withTail = 0;
      for (let s = 0; s < N; s++) {
        // z within ±500 nm; at |z| ≥ 300 nm the spot is elongated (σ up to ~3 px) and detection
        // can give it two candidates 2 px apart along its long axis.
        const z = -500 + 1000 * rng.uniform();
        const truth = [{ x: W / 2 + rng.uniform() - 0.5, y: W / 2 + rng.uniform() - 0.5, z }];
        const data = window(rng, truth);
        if (selectWith(selector, data, truth, PHOTONS) === 1) alone++;
        const along = z > 0 ? { x: truth[0].x, y: truth[0].y + 2 } : { x: truth[0].x + 2, y: truth[0].y };
        if (selectWith(selector, data, [truth[0], along], PHOTONS) === 1) withTail++;
      }
      // p = 1e-6 per emitter: splitting an isolated spot would be model error, not chance.
      // Measured (seed 57): 100 and 100 of 100, both models.
      assert.ok(alone >= 0.98 * N, `alone: ${alone} of ${N} as one`);
      assert.ok(withTail >= 0.95 * N, `with a second candidate on its tail: ${withTail} of ${N} as one`);
    });

    test(`${name}: a spot beyond the calibrated z range is kept at the range's edge, alone or with a second candidate`, () => {
      const selector = make();
      const rng = new Random(59);
      const N = 20;
      let alone = 0;
      let withTail = 0;
      const lateral: number[] = [];
      for (let s = 0; s < N; s++) {
        // 100–200 nm beyond the end of the model's range (astigmatic ±600 nm, the spline's
        // ±800 nm less its edge planes), on either side: the single fit ends at the edge.
        const beyond = name === 'spline' ? 850 : 700;
        const z = (s % 2 ? 1 : -1) * (beyond + 100 * rng.uniform());
        const truth = [{ x: W / 2 + rng.uniform() - 0.5, y: W / 2 + rng.uniform() - 0.5, z }];
        const data = window(rng, truth);
        if (selectWith(selector, data, truth, PHOTONS) === 1) {
          alone++;
          lateral.push(Math.hypot(selector.theta[0] - truth[0].x, selector.theta[1] - truth[0].y) * PIXEL_NM);
        }
        const along = z > 0 ? { x: truth[0].x, y: truth[0].y + 2 } : { x: truth[0].x + 2, y: truth[0].y };
        if (selectWith(selector, data, [truth[0], along], PHOTONS) === 1) withTail++;
      }
      // Before the fix every one was dropped (0 of 20: an emitter at the z edge was refused even
      // when it was the window's only one), so storm-analysis's double helix lost its spots
      // beyond ±664 nm. Measured (seed 59): 20 and 20 of 20, both models; median lateral error
      // 13 nm (astigmatic), 18 nm (spline). The limits leave room for the scatter of 20 windows.
      assert.ok(alone >= N - 2, `alone: ${alone} of ${N} kept`);
      assert.ok(withTail >= N - 4, `with a second candidate: ${withTail} of ${N} kept as one`);
      // Laterally the edge's model is still close (widths ~3 px): well under a pixel.
      assert.ok(median(lateral) < 60, `median lateral error ${median(lateral)} nm`);
    });
  }
});

describe('3-D windows seeded with two candidates tested against one emitter (DepthEmitterSelector.merge)', () => {
  test('spline: a spot near its line focus seeded by two candidates is one emitter; without the test about half are two', () => {
    // The benchmark's optics (pupil PSF, 20 nm spherical aberration) and a bead-calibrated spline
    // of them (3 beads of 20 000 photons over 50 a pixel, as SplineStarts.test.ts): near the line
    // focus (z −350 nm here) a spot is a line ~5 px long along y, and a candidate at each end
    // seeds the window with two emitters that fit as two dim ones (crowdedDepthBench at 1 /µm²:
    // 38 of the spline's 50 false positives in 40 frames). The frame's typical single emitter
    // is PHOTONS; NaN leaves the test off.
    const psf = new PupilPsf(PIXEL_NM, { sphericalNm: 20 });
    const spline = noisyBeadSpline(psf);
    const selector = new DepthEmitterSelector(OPTIONS, new DepthEmitterFits<SplineModel>(W, BOX, (w) => new SplineModel(w, spline), OPTIONS.maxEmitters, (m, t, out) => m.widthsPx(t, out), new WasmMultiSplineFit(W, spline)), new SplineModel(W, spline));
    const N = 40;
    const [merged, off] = [PHOTONS, Number.NaN].map((typical) => {
      const rng = new Random(11);
      const data = new Float64Array(W * W);
      let one = 0;
      for (let s = 0; s < N; s++) {
        const c = W / 2 + rng.uniform() - 0.5;
        data.fill(0);
        psf.add(data, W, W, c, c, PHOTONS, -350);
        for (let k = 0; k < data.length; k++) data[k] = rng.poisson(data[k] + BACKGROUND);
        const h = (s % 2 ? 5 : 4) / 2;
        if (selectWith(selector, data, [{ x: c, y: c - h }, { x: c, y: c + h }], PHOTONS / 2, typical) === 1) one++;
      }
      return one;
    });
    // Measured (seed 11, candidates 4 and 5 px apart, 20 windows each): one emitter with the test
    // 20 / 20, without it 7 / 11. The limits leave room for the fit's scatter and fail without.
    assert.ok(merged >= N - 3, `with the test: ${merged} of ${N} as one, without: ${off}`);
    assert.ok(merged - off >= 10, `with the test: ${merged} of ${N} as one, without: ${off}`);
  });

  for (const { name, make } of MODELS) {
    test(`${name}: true pairs 300–400 nm apart, each with its candidate, stay two with the frame's typical emitter known`, () => {
      // A true pair keeps two emitters' photons (more than the typical single emitter's
      // together), so it is not tried; d3sel's ungated merge of pairs within 6 px lost such pairs.
      const selector = make();
      const rng = new Random(53);
      const SEEDS = 30;
      let two = 0;
      for (let s = 0; s < SEEDS; s++) {
        const separationNm = 300 + 50 * (s % 3);
        const angle = rng.uniform() * Math.PI;
        const h = separationNm / PIXEL_NM / 2;
        const c = W / 2 + rng.uniform() - 0.5;
        const truth = [
          { x: c - h * Math.cos(angle), y: c - h * Math.sin(angle), z: -300 + 600 * rng.uniform() },
          { x: c + h * Math.cos(angle), y: c + h * Math.sin(angle), z: -300 + 600 * rng.uniform() },
        ];
        if (selectWith(selector, window(rng, truth), truth, 2 * PHOTONS, PHOTONS) === 2) two++;
      }
      // Measured (seed 53, 30 windows): as two 27 (astigmatic) / 28 (spline); without the photon
      // gate 26 / 27 (these windows' fits rarely lose a pair: the gate's worth is measured in
      // crowdedDepthBench, this guards against a merge that would take true pairs, e.g. one
      // without the likelihood-ratio test). The limit leaves room for the fit's scatter.
      assert.ok(two >= SEEDS - 5, `${two} of ${SEEDS} as two`);
    });
  }
});

describe('3-D split trials given up when hopeless (DepthEmitterSelector.splitTrial)', () => {
  for (const { name, make } of MODELS) {
    test(`${name}: split trials far from the test's threshold stop after SPLIT_CHECK_ITERATIONS; pairs are still split`, () => {
      // Every fit of the selection is logged: split trials are the only fits limited to
      // SPLIT_CHECK_ITERATIONS, and the only ones that go on with the rest of the trial's share.
      const selector = make();
      const fits = selector.fit;
      const fit = fits.fit.bind(fits);
      const calls: { limit: number; status: number; iterations: number }[] = [];
      fits.fit = (data, at, k, sigma, options) => {
        const status = fit(data, at, k, sigma, options);
        calls.push({ limit: options.maxIterations, status, iterations: fits.iterations });
        return status;
      };
      const rng = new Random(73);
      const N = 30;
      let two = 0;
      for (let s = 0; s < 2 * N; s++) {
        // Even s: a single spot with the split's photon gate open (its reference 0: every split is
        // tried, and none should pass); odd s: a pair 300–400 nm apart along x or y at one depth,
        // one candidate between them, with the gate at one emitter's photons (as the test above).
        const pair = s % 2 === 1;
        const h = (s % 4 < 2 ? 3 : 4) / 2;
        const alongX = s % 8 < 4;
        const c = W / 2 + rng.uniform() - 0.5;
        const z = -200 + 400 * rng.uniform();
        const truth = pair ? [-1, 1].map((sign) => ({ x: alongX ? c + sign * h : c, y: alongX ? c : c + sign * h, z })) : [{ x: c, y: c, z }];
        const k = selectWith(selector, window(rng, truth), [{ x: c, y: c }], pair ? 2 * PHOTONS : PHOTONS, pair ? PHOTONS : 0);
        if (pair && k === 2) two++;
      }
      // The selector's own counts (the log cannot tell a given-up trial from one that went on: the
      // continuation's limit, the trial's share 20 less SPLIT_CHECK_ITERATIONS, is 10 as well). The
      // log checks that no segment limited to SPLIT_CHECK_ITERATIONS ran longer, and that each
      // count is of a segment not converged.
      const { givenUp, wentOn } = selector.splitChecks;
      let unconverged = 0;
      for (const call of calls) {
        if (call.limit !== SPLIT_CHECK_ITERATIONS) continue;
        assert.ok(call.iterations <= SPLIT_CHECK_ITERATIONS, `a checked segment ran ${call.iterations} iterations`);
        if (call.status === STATUS_MAX_ITERATIONS) unconverged++;
      }
      assert.ok(givenUp + wentOn <= unconverged, `${givenUp} given up + ${wentOn} went on, ${unconverged} segments not converged`);
      // Measured (seed 73, counted in the selector): given up 38 (astigmatic) / 57 (spline) split
      // trials, 6 / 15 went on; pairs as two 22 / 19 of 30 (without the check 22 / 20: one
      // candidate between two spots is the split's hard case). With SPLIT_HOPELESS_GAIN = −∞ none
      // is given up, with +∞ none goes on: both fail here. The pairs' limit guards against a
      // check that loses them.
      assert.ok(givenUp >= 10, `${givenUp} split trials given up, ${wentOn} went on`);
      assert.ok(wentOn >= 2, `${givenUp} split trials given up, ${wentOn} went on`);
      assert.ok(two >= N - 14, `pairs as two: ${two} of ${N}`);
    });
  }
});
