/**
 * Facts shared by the fit kernel (assembly/*.ts, AssemblyScript) and the JavaScript fit (erf.ts,
 * GaussianAxis.ts, newtonSolve.ts, initialGuess.ts, FitStatus.ts, the Wasm*.ts wrappers):
 * plain numeric constants, so that both compilers read this one file. A number the two sides
 * must agree on lives here and nowhere else.
 *
 * AssemblyScript types a literal without a decimal point as an integer (i32), and divides two
 * integers as integers: fractions are written with float literals, counts and codes without.
 */

// ---- Fit status codes (FitStatus.ts names them; the kernel writes them)

/** The step fell below the tolerance. */
export const STATUS_CONVERGED = 0;
/** The iteration limit was reached. */
export const STATUS_MAX_ITERATIONS = 1;
/** The position left the patch by more than {@link LEAVE_PATCH_PX}. */
export const STATUS_LEFT_PATCH = 2;
/** The patch holds NaN or infinite values, or no positive value. */
export const STATUS_BAD_DATA = 3;
/** The Fisher information at θ̂ is singular. */
export const STATUS_SINGULAR = 4;
/** The patch holds a saturated pixel (set by the pipeline, never by the kernel). */
export const STATUS_SATURATED = 5;
/** A 3-D fit's z ended at the edge of the calibrated range: the spot is deeper or higher than the calibration covers. */
export const STATUS_Z_RANGE = 6;
/**
 * The fit converged onto the same emitter as another fit of the frame (two candidates on one
 * spot: a double helix's two lobes, a wide defocused spot); set by the pipeline, never by the kernel.
 */
export const STATUS_DUPLICATE = 7;

// ---- The kernel's batch layout (WasmFitKernel.ts; the kernel's fitBatch, assembly/fitPatch.ts)

/** Warm-start columns (`stride` values each): x, y (px), N (photons), b (photons/px), σ (px; NaN: none). */
export const FIT_START_X = 0;
export const FIT_START_Y = 1;
export const FIT_START_PHOTONS = 2;
export const FIT_START_BACKGROUND = 3;
export const FIT_START_SIGMA = 4;
/** How many warm-start columns. */
export const START_COLUMNS = 5;
/** Output columns (`stride` values each): θ̂ = x, y (px), N (photons), b (photons/px), σ (px)… */
export const FIT_OUT_X = 0;
export const FIT_OUT_Y = 1;
export const FIT_OUT_PHOTONS = 2;
export const FIT_OUT_BACKGROUND = 3;
export const FIT_OUT_SIGMA = 4;
/** …√CRLB of x, y, N, b, σ (NaN for σ when it is fixed)… */
export const FIT_OUT_CRLB_X = 5;
export const FIT_OUT_CRLB_Y = 6;
export const FIT_OUT_CRLB_PHOTONS = 7;
export const FIT_OUT_CRLB_BACKGROUND = 8;
export const FIT_OUT_CRLB_SIGMA = 9;
/** …ℓ, residual std (photons), iterations, status, warm start (1/0), Pearson's χ². */
export const FIT_OUT_LOG_LIKELIHOOD = 10;
export const FIT_OUT_RESIDUAL_STD = 11;
export const FIT_OUT_ITERATIONS = 12;
export const FIT_OUT_STATUS = 13;
export const FIT_OUT_WARM_START = 14;
export const FIT_OUT_CHI_SQUARE = 15;
/** How many output columns. */
export const OUTPUT_COLUMNS = 16;

// ---- Newton's method (newtonSolve.ts)

/** Floors that keep μ = N·Ex·Ey + b positive and n/μ² finite (photons, photons/px). */
export const MIN_PHOTONS = 1e-6;
export const MIN_BACKGROUND = 1e-6;
/** A step may shrink N, b by at most this fraction (they stay positive). */
export const MAX_SHRINK = 0.5;
/** Largest relative σ change per iteration. */
export const MAX_SIGMA_STEP = 0.25;
/** A fit whose x or y leaves the patch by more than this, px, stops with STATUS_LEFT_PATCH. */
export const LEAVE_PATCH_PX = 1.0;
/** The pass after a step smaller than this (px / relative) also computes the Fisher information and ℓ. */
export const ANTICIPATE_END = 1e-2;
/** Halvings of a step that lowered ℓ before a guarded (free-σ) fit gives up. */
export const MAX_BACKTRACKS = 12;
/** A guarded step is accepted unless ℓ falls by more than this, relatively (rounding). */
export const LL_GUARD = 1e-12;
/** σ is released once the fixed-σ steps fall below this (px / relative)… */
export const SIGMA_RELEASE = 1e-2;
/** …or after this many iterations. */
export const SIGMA_RELEASE_ITERATIONS = 8;
/** Levenberg–Marquardt damping of a Newton system that is not positive definite: first λ, factor, give-up. */
export const DAMPING_START = 1e-3;
export const DAMPING_GROWTH = 10.0;
export const DAMPING_LIMIT = 1e12;
/** Smallest |H_ii| a damping term is scaled by. */
export const DAMPING_DIAGONAL_FLOOR = 1e-12;

// ---- Start values (initialGuess.ts)

/** Smallest background used as a start value, photons/px (keeps n/μ finite on dark patches). */
export const MIN_BACKGROUND_GUESS = 0.1;
/** Photons a multi-emitter window or a 3-D fit starts from when the spot's single fit did not converge (the first fit finds them). */
export const UNCONVERGED_START_PHOTONS = 1000;
/** Background such a start takes, photons/px, where the failed fit left none (0 or NaN). */
export const UNCONVERGED_START_BACKGROUND = 1;
/** A warm start is taken only inside the patch widened by this, px. */
export const WARM_START_MARGIN_PX = 0.5;

// ---- W. J. Cody's rational approximations of erf / erfc (erf.ts; Math. Comp. 23, 1969)

/** erf(x) = x · R₁(x²) for |x| ≤ ERF_SMALL_LIMIT. */
export const ERF_SMALL_LIMIT = 0.46875;
export const A0 = 3.1611237438705656;
export const A1 = 113.864154151050156;
export const A2 = 377.485237685302021;
export const A3 = 3209.37758913846947;
export const A4 = 0.185777706184603153;
export const B0 = 23.6012909523441209;
export const B1 = 244.024637934444173;
export const B2 = 1282.61652607737228;
export const B3 = 2844.23683343917062;
/** erfc(y) = exp(−y²) · R₂(y) for ERF_SMALL_LIMIT < y ≤ 4. */
export const C0 = 0.564188496988670089;
export const C1 = 8.88314979438837594;
export const C2 = 66.1191906371416295;
export const C3 = 298.635138197400131;
export const C4 = 881.95222124176909;
export const C5 = 1712.04761263407058;
export const C6 = 2051.07837782607147;
export const C7 = 1230.33935479799725;
export const C8 = 2.15311535474403846e-8;
export const D0 = 15.7449261107098347;
export const D1 = 117.693950891312499;
export const D2 = 537.181101862009858;
export const D3 = 1621.38957456669019;
export const D4 = 3290.79923573345963;
export const D5 = 4362.61909014324716;
export const D6 = 3439.36767414372164;
export const D7 = 1230.33935480374942;
/** erfc(y) = exp(−y²)/y · (1/√π − y⁻² R₃(y⁻²)) for y > 4. */
export const P0 = 0.305326634961232344;
export const P1 = 0.360344899949804439;
export const P2 = 0.125781726111229246;
export const P3 = 0.0160837851487422766;
export const P4 = 6.58749161529837803e-4;
export const P5 = 0.0163153871373020978;
export const Q0 = 2.56852019228982242;
export const Q1 = 1.87295284992346047;
export const Q2 = 0.527905102951428412;
export const Q3 = 0.0605183413124413191;
export const Q4 = 0.00233520497626869185;
/** 1/√π and 1/√(2π). */
export const INV_SQRT_PI = 0.56418958354775628695;
export const INV_SQRT_2PI = 0.3989422804014327;

// ---- Multi-emitter fitting (MultiEmitterFit.ts, EmitterSelector.ts; the kernel's multiSelect)

/** Most emitters one window's model may hold (the kernel's scratch is sized for it). */
export const MAX_EMITTERS = 10;
/** Parameters of the largest multi-emitter model: x, y, N per emitter and one b (the kernel's θ̂ and √CRLB hold this many). */
export const MAX_MULTI_PARAMETERS = 3 * MAX_EMITTERS + 1;
/** The kernel's multiOut() after multiSelect: ℓ, iterations, residual std (photons), status, K. */
export const MULTI_OUT_LOG_LIKELIHOOD = 0;
export const MULTI_OUT_ITERATIONS = 1;
export const MULTI_OUT_RESIDUAL_STD = 2;
export const MULTI_OUT_STATUS = 3;
export const MULTI_OUT_EMITTERS = 4;
/** How many values multiOut() holds. */
export const MULTI_OUTPUT_COLUMNS = 5;
/** Narrowest and widest fitting box, px (odd widths between; FitOptions' BOX_RANGE_PX). */
export const MIN_BOX_PX = 3;
export const MAX_BOX_PX = 15;
/** Pixels added on each side of the fitting box for a multi-emitter window (9×9 for a 5×5 box). */
export const MULTI_EMITTER_MARGIN_PX = 2;
/**
 * Widest window any fit of the kernel takes, px: its scratch is sized for it. At least the widest
 * box plus two multi-emitter margins (15 + 2·2 = 19); 24 leaves room for wider 3-D patches.
 */
export const MAX_WINDOW = 24;
/** The damping λ of the joint fit falls by DAMPING_GROWTH after each accepted step, down to this. */
export const DAMPING_FLOOR = 1e-9;
/**
 * A next emitter is tried only where the residual over 3×3 pixels exceeds its Poisson noise
 * √Σμ this many times: the likelihood-ratio test at p = 1e-6 (about 5σ) would refuse weaker
 * excesses anyway, and trying them costs a fit each.
 */
export const MIN_RESIDUAL_SIGNIFICANCE = 3.0;
/**
 * {@link MIN_RESIDUAL_SIGNIFICANCE} for a 3-D window's next emitter (DepthEmitterSelector). A 3-D
 * model rarely is the PSF (an astigmatic Gaussian fitted to a real pupil's spots, a spline from
 * noisy beads): its misfit leaves a structured residual of 3–5 √Σμ beside every spot, and the
 * likelihood-ratio test, whose threshold assumes the model right, accepted a second emitter
 * there. Measured (test/bench/depthE2e.ts stack, pupil PSF, 0.3 /µm², 300 frames, in-process):
 * astigmatic Jaccard 82.7 → 84.0 / 86.0 / 87.7 % at 4 / 5 / 6 (false positives 522 → 450 / 338 /
 * 251), spline 91.03 → 90.99 % at 5; crowdedDepthBench at 1 /µm² (40 frames) astigmatic 85.8 →
 * 85.6 / 85.5 % at 5 / 6, spline 84.7 → 84.7 / 84.4 %; at 2 /µm² 61.2 → 61.1 %, 61.4 → 61.4 % at 5.
 * Of the 2 292 astigmatic trials there, 1 076 (47 %) started from a residual of 3–5 and 224 of
 * those were accepted: fewer trials, less CPU.
 */
export const MIN_DEPTH_RESIDUAL_SIGNIFICANCE = 5.0;
/**
 * A model's trial fit stops at this position step, px: the error left in ℓ is then about
 * ½(δ/CRLB)² with δ well below the last step, small against the test's threshold (30.7 for
 * 2Δℓ). Measured against 1e-2 px on the e2e stack: slightly more pairs kept (543 vs 535 of 614
 * windows), fewer one-emitter trials at the iteration limit (1 vs 9), 8.3 vs 10.4 iterations a window…
 */
export const TRIAL_TOLERANCE_PX = 5e-2;
/** …gets this share of the iteration limit… */
export const TRIAL_ITERATION_SHARE = 0.4;
/** …and at least this many. */
export const MIN_TRIAL_ITERATIONS = 10;
/** A new emitter starts with this multiple of the residual's 3×3 excess (a 3×3 sum holds about half of a σ ≈ 1.3 px spot). */
export const NEW_EMITTER_PHOTONS_FACTOR = 2.0;
/** Every emitter of a model kept holds more photons than this. */
export const MIN_EMITTER_PHOTONS = 1.0;
/** The first emitter's start: photons and background at least these. */
export const MIN_START_PHOTONS = 1.0;
export const MIN_START_BACKGROUND = 1e-3;
/** Floor of the residual's Poisson variance Σμ over 3×3 pixels (photons²), against division by 0. */
export const MIN_RESIDUAL_VARIANCE = 1e-9;

// ---- 3-D astigmatic fit (fit/AstigmaticFit.ts; the kernel's zFit)

/** A 3-D fit within this of the calibrated range's edge, nm, has left it (STATUS_Z_RANGE). */
export const Z_EDGE_NM = 1.0;
/** Largest z step per iteration, nm. */
export const MAX_Z_STEP_NM = 100.0;
/**
 * The astigmatic 3-D fit (one spot) has also converged when an accepted step raises ℓ by less
 * than this: the step then moved θ by about √(2·gain) ≈ 0.014 standard errors or less. Without it,
 * the fit of a spot the Gaussian does not model exactly (the depthE2e pupil stack) creeps along
 * the ridge between N and z (Fisher scoring is not Newton's method where the model misfits),
 * 0.01–0.05 nm of z an iteration, or steps back and forth within rounding, and 515 of 13 438 fits
 * ran every z start to the iteration limit: 30 % of the single fits' iterations. Measured there
 * (1 000 frames, against none): single-fit iterations 231 846 → 142 220 (1e-5: 167 435), fits at
 * the limit 515 → 127; Jaccard 86.17 → 86.45 %, z RMSE 90.40 → 89.41 nm, lateral RMSE 49.28 →
 * 49.41 nm (the 11 757 spots both match: 49.27 → 49.26 nm lateral, 90.41 → 89.02 nm z; the 29
 * more matched are poor ones). On output-sums' Gaussian astig stack: Jaccard 97.77 → 97.94 %,
 * lateral RMSE 25.25 → 24.69 nm.
 */
export const Z_MIN_GAIN = 1e-4;
/**
 * …and its damping rises when an accepted step gains less than this share of the gain its Fisher
 * information predicts (FisherScoring's `minRatio`, the trust-region test of Levenberg–Marquardt):
 * where the Gaussian misfits, the steps overshoot along the N–z ridge into a two-cycle about the
 * maximum (ℓ gaining ~1e-3 a step, z ±3 nm about it), which Z_MIN_GAIN does not stop. Measured as
 * Z_MIN_GAIN: single-fit iterations 142 220 → 134 042, fits at the limit 127 → 111; Jaccard
 * 86.45 → 86.44 %, z RMSE 89.41 → 89.23 nm, z > 250 nm 3.00 → 2.99 %; Gaussian astig stack
 * lateral RMSE 24.69 → 24.42 nm. The rest at the limit mostly hold z at the range's edge.
 */
export const Z_MIN_GAIN_RATIO = 0.25;
/** Coefficients per voxel of a tricubic spline PSF (spline/SplinePsf.ts): 4 powers along each of x, y, z. */
export const SPLINE_COEFFICIENTS = 64;
/** The z starts, as fractions of the half range about its centre (the likelihood is not convex in z). */
export const Z_START_LOW = -0.5;
export const Z_START_MID = 0.0;
export const Z_START_HIGH = 0.5;
/**
 * The spline fit's z starts (SplineFit.ts, the kernel's splineFit): planes of the spline spread
 * evenly over its range, each ranked by ℓ with N and b by least squares on the samples nearest
 * the pixels. On isolated pupil-model spots (test/bench/splineVsGaussian.ts, +500…+600 nm) the
 * three Z_START_* fractions left 21 of 186 fits > 250 nm off (in-focus, a third of the photons),
 * 8 scanned planes 4, 16 none.
 */
export const SPLINE_Z_SCAN_STARTS = 16;
/**
 * Lobe starts of the spline fit's scan (SplineFit.ts, the kernel's splineFit): besides each scanned
 * plane at the lateral start, the plane placed so that one of its lobes lies on the lateral start
 * (its brightest local maxima of at least SPLINE_LOBE_FRACTION of its peak, SPLINE_LOBE_MIN_PX or
 * more from the emitter: {@link scanLobes}), up to this many a plane. A defocused PSF with a ring or
 * two lobes (a high-NA pupil with spherical aberration) is detected on a lobe, and its window,
 * centred there, looks like an in-focus spot of a quarter of the photons: from the lobe, the scan
 * finds only that (its ℓ ~50 below the true depth's). On isolated pupil spots, NA 1.4 oil into
 * water, 40 nm spherical, 100 nm astigmatism, ±600 nm, bead-calibrated spline
 * (`test/bench/splineVsGaussian.ts --optics na14`): Jaccard 72.8 → 90.2 %, false positives 677 →
 * 241, the −600…−400 nm band's z bias 55 → 3.4 nm, matched there 199 → 393; spots of that band
 * in a window centred on their lobe: 59 → 1 of 120 outliers (test/fit/SplineLobeStarts.test.ts).
 */
export const SPLINE_SCAN_LOBES = 2;
/** A scanned plane's local maximum is a lobe (SPLINE_SCAN_LOBES) from this share of the plane's peak sample. */
export const SPLINE_LOBE_FRACTION = 0.5;
/** A lobe lies at least this far from the emitter, px (nearer, the scan's own start finds its basin). */
export const SPLINE_LOBE_MIN_PX = 2;

/**
 * A converged 3-D single fit this far (px) or more from its candidate's pixel centre, with
 * another candidate in its patch, goes to a crowded window (CrowdingResolver): two in-focus
 * neighbours 2–5 px apart pass for one defocused emitter between them. Its own constant, though
 * equal to SPLINE_LOBE_MIN_PX today (the nearest lobe start a spline's scan tries, the fit that
 * strays so), so the two can be tuned apart.
 */
export const STRAY_FIT_MIN_PX = 2;
/** The most of the ranked scan starts the spline fit fits from (the next when one does not converge). */
export const SPLINE_Z_SCAN_FITS = 3;
/**
 * A spline fit whose lateral start lies within this of the window's edge, px (a spot the frame
 * cuts: the window is shifted inside it), fits from all SPLINE_Z_SCAN_FITS starts and keeps the
 * best ℓ: with part of the spot outside, a nearer, dimmer spot at another z converges too. Measured
 * on an emitter 0.6 px from the frame's edge at z −381 nm (splineVsGaussian): y off by 180–245 nm,
 * z by +230 nm in 5 of 5 frames from the best-ranked start alone; 3 px, not 2, as localize starts
 * the 3-D fit from the 2-D fit's x, y, which that spot had pulled 2.4 px inside (y RMSE /
 * uncertainty over the benchmark 1.14 with 2 px, 1.05 with 3).
 */
export const SPLINE_EDGE_START_PX = 3;
/**
 * A spline fit has converged where the Newton decrement at θ, ∇ℓᵀ·I⁻¹·∇ℓ (twice the likelihood
 * a full Fisher step would still gain; k² for θ k standard errors from the maximum), is below
 * this: θ within 0.03 of a standard error. The solver stops after the step that began there
 * (FisherScoring's `settled`), and a fit stopped by the iteration limit is settled by the same
 * test at θ̂. Fisher scoring on a PSF the spline does not match exactly converges linearly: on
 * the depthE2e stack 40 % of the single fits' iterations went to runs crawling at 1e-8…1e-3 of
 * ℓ a step toward a maximum already within 0.01 standard errors (z steps of 1e-3 nm still above
 * the tolerance of 1e-4 px in planes); others zig-zag along a flat ridge (a spot cut by the
 * window: y, N and z traded) and never take a step below the tolerance.
 */
export const SPLINE_SETTLED_DECREMENT = 1e-3;
/** Parameters of the 3-D fit: θ = (x, y, N, b, z). */
export const Z_PARAMETERS = 5;
/**
 * Depths tried for the z start of an emitter added to a 3-D multi-emitter fit, spread evenly over
 * the range (bin centres); the most likely with the other emitters held starts it. 9 over a
 * ±600 nm range is one every 133 nm, inside the capture range of one fit (MAX_Z_STEP_NM steps).
 */
export const Z_SCAN_STARTS = 9;
/**
 * Half-width (px) of the core of a 3-D single fit's patch over which its Pearson χ² is summed for
 * the ambiguity test (DepthEmitterFits.chiSquare): the (2·h + 1)² pixels about the candidate, so
 * that a neighbour's light at the patch's edge does not flag a spot whose own pixels fit one
 * emitter. depthE2e's 0.3 /µm² pupil-PSF stack (300 frames, 15 px patches): candidates tried with
 * more emitters 73 → 64 % (astigmatic) and 64 → 45 % (spline), Jaccard 83.4 → 83.5 % and
 * 89.2 → 90.2 %, lateral RMSE 50.4 → 49.9 and 40.3 → 37.6 nm, z RMSE 95.7 → 93.7 and
 * 96.2 → 97.2 nm (z errors > 250 nm 2.8 → 2.4 %); output-sums' Gaussian astigmatic stack
 * Jaccard 97.20 → 97.27 %; crowdedDepthBench at 1 /µm² 83.5 → 83.5 % and 79.9 → 79.6 %.
 * h = 3 tried fewer (spline 40 %) but lost 0.25 points of Jaccard on the Gaussian stack.
 */
export const CHI_SQUARE_CORE_PX = 4;
/**
 * A 3-D crowded window's other candidates seed its emitters at their single fits when those lie
 * within this of the candidate's pixel centre, px (further, the fit went to a neighbour: the
 * pixel is the start). DepthEmitterSelector.
 */
export const SEED_REACH_PX = 1.5;
/**
 * A 3-D window's brightest emitter, split in two to test for a pair fitted as one elongated spot,
 * starts its halves this many PSF σ either side of it along its longer axis, and where that is
 * refused along its shorter one (DepthEmitterSelector; the shorter axis too: crowdedDepthBench at
 * 1 /µm², 100 frames, astigmatic Jaccard 84.2 → 84.6 %, all four axes and diagonals 84.8 % at
 * 1.4× the trials of one axis).
 */
export const SPLIT_OFFSET_SIGMA = 1;
/**
 * The split (SPLIT_OFFSET_SIGMA) is tried only on an emitter with at least this many times the
 * split's reference photons (WindowSeeds.splitPhotons: the SPLIT_PHOTONS_QUANTILE quantile of the
 * frame's converged single fits): a pair fitted as one carries both emitters' light, a single spot
 * through a model that is not its PSF does not. Measured (then against the frame's median single
 * fit) with the calibration's own gate forced open, storm-analysis's double helix
 * through astigmatic curves (93.6 % without the split): 82.2 % at 1, 93.6 % at 1.25 and 1.5;
 * crowdedDepthBench at 1 /µm², astigmatic / spline Jaccard: no gate 86.7 / 83.2 %, 1.25: 85.5 /
 * 81.9 %, 1.5: 84.8 / 81.2 %, no split 83.5 / 79.9 %. WindowSeeds.splitPhotons, DepthEmitterSelector.
 */
export const SPLIT_MIN_PHOTONS_RATIO = 1.25;
/**
 * A split's K + 1 trial (SPLIT_OFFSET_SIGMA) is checked after this many iterations: one not yet
 * converged whose 2Δℓ over the chosen K-emitter model is then below SPLIT_HOPELESS_GAIN × the
 * likelihood-ratio test's threshold is given up (DepthEmitterSelector.splitTrial), the others go
 * on (the solver's damping starts again). Measured on the depthE2e stack (spline, 1 000 frames):
 * of 2 200 split trials 260 were accepted and 673 ran to the trial's limit of 20 iterations; of
 * the 1 802 not converged after 6 iterations, 916 refused and 1 accepted stood below a third of
 * the threshold then, none of either below 0 (that count was taken at 6 iterations, not at 10).
 * The selection's fitting (Σ iterations × K) 419.7 → 386.2 / 401.9 k at 6 / 10 iterations; CPU
 * at 10 (depthE2e spline, 1 worker, two interleaved runs) 16.39 / 16.63 s against 16.65 / 17.72 s
 * without the check, −1.6 / −6.2 % (CPU at 6 not measured); Jaccard 93.62 % either way;
 * crowdedDepthBench spline at 1 /µm² 86.6 → 86.5 / 86.5 / 86.6 % at 6 / 8 / 10 (one emitter: the
 * restarted damping moves the trials that go on), astigmatic unchanged. The selector's test
 * (30 single spots with the split's gate open and 30 pairs, seed 73, counted by
 * DepthEmitterSelector.splitChecks): given up 38 / 57 trials (astigmatic / spline), 6 / 15 went on.
 */
export const SPLIT_CHECK_ITERATIONS = 10;
/** …the share of the test's threshold a split's trial must have gained by then (SPLIT_CHECK_ITERATIONS): below it the trial is given up; −∞ gives none up, +∞ all not yet converged. */
export const SPLIT_HOPELESS_GAIN = 1 / 3;

/**
 * A 3-D window's seeded model is tested against one emitter fewer only for a pair of its emitters
 * closer than this (px) whose photons together are fewer than the frame's typical single
 * emitter's (DepthEmitterSelector.merge): a spot at the spline's line focus seeded by two
 * candidates fits as two dim emitters ~5 px apart. crowdedDepthBench at 1 /µm², spline Jaccard
 * 40 / 100 frames: no merge 84.7 / 84.0 %, 6 px 85.6 / 84.8 % (85.7 / 84.9 % with the K − 1 fit
 * going on to the full iteration limit, at +7–22 % of the spline's CPU), 8 px and no limit the
 * same with 1.6× and 2.5× the merge trials; without the photon gate (6 px) 85.2 % (true pairs
 * merged); astigmatic unchanged (85.6 / 83.2 %). depthE2e (300 frames, pupil PSF) spline
 * Jaccard 91.0 → 93.2 %, lateral RMSE 39 → 30 nm.
 */
export const MERGE_REACH_PX = 6;
/**
 * A frame's split reference (SPLIT_MIN_PHOTONS_RATIO, SPLIT_PHOTONS_QUANTILE) and typical single
 * emitter need this many converged single fits; fewer: no split, no merge. The 3-D refits' splits
 * (DepthRefits) take their typical row from as many converged rows of the frame (single fits and
 * windows' emitters alike).
 */
export const SPLIT_MIN_SINGLE_FITS = 8;
/**
 * The split's reference (SPLIT_MIN_PHOTONS_RATIO) is this quantile of the photons of a 3-D
 * frame's converged single fits, not their median: at 1 /µm² most single fits are flagged as
 * crowded, many hold a pair's light, and the median of a frame of 2 000-photon emitters was 1 840–
 * 3 980 (median over frames 2 490); the 0.3 quantile 1 330–3 130 (1 770), so pairs fitted as one
 * at 3 000–3 500 photons were not split. crowdedDepthBench at 1 /µm², 100 frames, astigmatic
 * Jaccard 83.2 → 84.2 % (0.3, alone); with the split along both axes and EDGE_PEAK_PX 85.1 / 85.2 %
 * at 0.3 / 0.2. The merge (MERGE_REACH_PX) keeps the median (spline 86.4 % with the quantile
 * there too, FP/frame 1.11; 86.6 %, 1.04 with the median). WindowSeeds.splitPhotons.
 */
export const SPLIT_PHOTONS_QUANTILE = 0.3;
/**
 * A residual peak within this many px of a 3-D window's edge that is refused or too weak (its K + 1
 * trial refused: its emitter left the window or reached the z range's edge, the light of a
 * neighbour outside the window that no single fit holds; or, with no trial fitted, below
 * MIN_DEPTH_RESIDUAL_SIGNIFICANCE) gives way to the largest residual at least this far inside,
 * tried once (DepthEmitterSelector step 4): before, the refused edge peak ended the window's
 * search, and a second emitter inside it was never tried. The benchmark measured both cases. crowdedDepthBench at 1 /µm², 100
 * frames (with SPLIT_PHOTONS_QUANTILE and the split along both axes): astigmatic Jaccard 84.6 →
 * 84.9 / 85.1 % at 2 / 3 px.
 */
export const EDGE_PEAK_PX = 3;
/**
 * A 3-D window holds fixed in its model the single fits of candidates centred outside it up to
 * this far beyond its edges, px (their light in the window no longer raises its background), at
 * most MAX_WINDOW_NEIGHBOURS of them (WindowSeeds, DepthEmitterSelector).
 */
export const NEIGHBOUR_REACH_PX = 4;
/** The most outside neighbours a 3-D window holds fixed ({@link NEIGHBOUR_REACH_PX}), the first in candidate order. */
export const MAX_WINDOW_NEIGHBOURS = 12;
/**
 * A 3-D crowded window reports the emitters of the candidates at least this far inside it (from
 * edges interior to the image), px; their own windows are then not fitted (CrowdingResolver).
 */
export const ADOPT_MARGIN_PX = 1;
/** The kernel's zOut() after zFit: θ̂ (Z_PARAMETERS values from Z_OUT_THETA: x, y px, N, b, z nm), their √CRLB… */
export const Z_OUT_THETA = 0;
export const Z_OUT_CRLB = 5;
/** …ℓ, iterations, σx and σy at ẑ (nm), residual std (photons). */
export const Z_OUT_LOG_LIKELIHOOD = 10;
export const Z_OUT_ITERATIONS = 11;
export const Z_OUT_SIGMA_X_NM = 12;
export const Z_OUT_SIGMA_Y_NM = 13;
export const Z_OUT_RESIDUAL_STD = 14;
/** How many values zOut() holds. */
export const Z_OUTPUT_COLUMNS = 15;

// ---- 3-D multi-emitter fitting (models/MultiEmitterModel.ts over models/AstigmaticModel.ts; the kernel's multiZFit)

/** Parameters of one emitter of a 3-D multi-emitter model: x, y (px), N (photons), z (nm); the background is shared. */
export const MULTI_Z_PER_EMITTER = Z_PARAMETERS - 1;
/** Parameters of the largest 3-D multi-emitter model: MULTI_Z_PER_EMITTER per emitter and one b. */
export const MULTI_Z_MAX_PARAMETERS = MULTI_Z_PER_EMITTER * MAX_EMITTERS + 1;
/**
 * The most parameters any kernel model has (the largest 3-D multi-emitter model): the size of
 * the solver's scratch (FisherScoring.ts).
 */
export const MAX_FIT_PARAMETERS = MULTI_Z_MAX_PARAMETERS;
/**
 * The kernel's multiZOut() after multiZFit: θ̂ (MULTI_Z_MAX_PARAMETERS values from
 * MULTI_Z_OUT_THETA, in the multi-emitter order x₁, y₁, N₁, z₁, …, b; the first
 * MULTI_Z_PER_EMITTER·K + 1 hold the fit's), their √CRLB (NaN unless converged)…
 */
export const MULTI_Z_OUT_THETA = 0;
export const MULTI_Z_OUT_CRLB = MULTI_Z_OUT_THETA + MULTI_Z_MAX_PARAMETERS;
/** …σx and σy of each emitter at θ̂ (MAX_EMITTERS values each, nm)… */
export const MULTI_Z_OUT_SIGMA_X_NM = MULTI_Z_OUT_CRLB + MULTI_Z_MAX_PARAMETERS;
export const MULTI_Z_OUT_SIGMA_Y_NM = MULTI_Z_OUT_SIGMA_X_NM + MAX_EMITTERS;
/** …ℓ, iterations, residual std (photons). */
export const MULTI_Z_OUT_LOG_LIKELIHOOD = MULTI_Z_OUT_SIGMA_Y_NM + MAX_EMITTERS;
export const MULTI_Z_OUT_ITERATIONS = MULTI_Z_OUT_LOG_LIKELIHOOD + 1;
export const MULTI_Z_OUT_RESIDUAL_STD = MULTI_Z_OUT_ITERATIONS + 1;
/** How many values multiZOut() holds. */
export const MULTI_Z_OUTPUT_COLUMNS = MULTI_Z_OUT_RESIDUAL_STD + 1;
