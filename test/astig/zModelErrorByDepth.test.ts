import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { calibratePsf, PSF_CALIBRATION_DEFAULTS } from '../../src/astig/calibratePsf.js';
import { beadWindowsOf } from '../../src/astig/readBeadWindows.js';
import { InputFileError } from '../../src/errors/InputFileError.js';
import { readCalibrationFile } from '../../src/export/readCalibrationFile.js';
import { writeSplineCalibration } from '../../src/export/writeSplineCalibration.js';
import { WasmSplineFit } from '../../src/fit/WasmSplineFit.js';
import { createFitResults } from '../../src/fit/FitResults.js';
import { lateralScaleAt } from '../../src/fit/lateralScaleAt.js';
import { storeDepthUncertainties } from '../../src/fit/storeDepthUncertainties.js';
import { zModelErrorAt } from '../../src/fit/zModelErrorAt.js';
import { PupilPsf } from '../../src/simulate/PupilPsf.js';
import { Random } from '../../src/simulate/Random.js';
import { simulateBeadStack } from '../../src/simulate/simulateBeadStack.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-zerror-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('zModelErrorAt: the model error at a fitted z', () => {
  const table = { zNm: [-100, 0, 100], errorNm: [3, 4, 12] };
  it('interpolates the variance between nodes, holds the end nodes beyond them, and is the constant without a table', () => {
    assert.equal(zModelErrorAt(0, 9, table), 4);
    assert.ok(Math.abs(zModelErrorAt(-50, 9, table) - Math.sqrt((9 + 16) / 2)) < 1e-12);
    assert.ok(Math.abs(zModelErrorAt(75, 9, table) - Math.sqrt(0.25 * 16 + 0.75 * 144)) < 1e-12);
    assert.equal(zModelErrorAt(-900, 9, table), 3);
    assert.equal(zModelErrorAt(900, 9, table), 12);
    assert.equal(zModelErrorAt(Number.NaN, 9, table), 9);
    assert.equal(zModelErrorAt(50, 9, undefined), 9);
    assert.equal(zModelErrorAt(50, 9, { zNm: [], errorNm: [] }), 9);
  });
  it("with the fit's CRLB and a table of model errors and CRLB scales: √(e² + (κ² − 1)·CRLB²), e² and κ² interpolated", () => {
    const scaled = { ...table, modelErrorNm: [1, 2, 3], crlbScale: [1, 1.2, 1.5] };
    // uncertainty_z² = CRLB² + this² = e² + κ²·CRLB².
    assert.ok(Math.abs(zModelErrorAt(0, 9, scaled, 10) - Math.sqrt(4 + 0.44 * 100)) < 1e-12);
    assert.ok(Math.abs(zModelErrorAt(50, 9, scaled, 10) - Math.sqrt((4 + 9) / 2 + ((1.44 + 2.25) / 2 - 1) * 100)) < 1e-12);
    assert.equal(zModelErrorAt(-900, 9, scaled, 10), 1);
    assert.ok(Math.abs(zModelErrorAt(900, 9, scaled, 10) - Math.sqrt(9 + 1.25 * 100)) < 1e-12);
    // Without the CRLB (NaN), or a table without the scales: errorNm as before.
    assert.equal(zModelErrorAt(0, 9, scaled), 4);
    assert.equal(zModelErrorAt(0, 9, table, 10), 4);
  });
  it('lateralScaleAt: κ_x, κ_y at a fitted z, κ² interpolated, 1 without', () => {
    const scaled = { ...table, crlbScaleX: [1, 1.1, 1.3], crlbScaleY: [1.2, 1, 1] };
    assert.equal(lateralScaleAt(0, scaled, 0), 1.1);
    assert.ok(Math.abs(lateralScaleAt(50, scaled, 0) - Math.sqrt((1.21 + 1.69) / 2)) < 1e-12);
    assert.ok(Math.abs(lateralScaleAt(-50, scaled, 1) - Math.sqrt((1.44 + 1) / 2)) < 1e-12);
    assert.equal(lateralScaleAt(-900, scaled, 1), 1.2);
    assert.equal(lateralScaleAt(900, scaled, 0), 1.3);
    assert.equal(lateralScaleAt(Number.NaN, scaled, 0), 1);
    assert.equal(lateralScaleAt(0, table, 0), 1);
    assert.equal(lateralScaleAt(0, undefined, 1), 1);
  });
  it('storeDepthUncertainties: κ_x·CRLB_x, κ_y·CRLB_y and √(e² + κ²·CRLB_z²) at the row\'s z; the CRLB and the one error without a table', () => {
    const scaled = { ...table, modelErrorNm: [1, 2, 3], crlbScale: [1.2, 1.5, 1.1], crlbScaleX: [1, 1.1, 1.3], crlbScaleY: [1.2, 1, 1] };
    const rows = createFitResults(2);
    rows.z[0] = 50;
    rows.z[1] = 50;
    storeDepthUncertainties(rows, 0, 0.1, 0.2, 10, 9, scaled);
    storeDepthUncertainties(rows, 1, 0.1, 0.2, 10, 9, undefined);
    // Halfway between the nodes at 0 and 100 nm: κ², e² averaged (rounding only: 1e-12).
    assert.ok(Math.abs(rows.uncertaintyX[0] - 0.1 * Math.sqrt((1.21 + 1.69) / 2)) < 1e-12);
    assert.ok(Math.abs(rows.uncertaintyY[0] - 0.2) < 1e-12);
    assert.ok(Math.abs(rows.uncertaintyZ[0] - Math.sqrt((4 + 9) / 2 + ((2.25 + 1.21) / 2) * 100)) < 1e-12);
    assert.deepEqual([rows.uncertaintyX[1], rows.uncertaintyY[1], rows.uncertaintyZ[1]], [0.1, 0.2, Math.sqrt(100 + 81)]);
  });
});

describe("calibrate-psf's z error by depth", () => {
  // The benchmark's NA 1.49 optics (test/bench/benchOptics.ts na149) and its 9-bead stack (seed 6).
  const optics = { sphericalNm: 20 };
  const beads = simulateBeadStack({ pupil: optics, zStartNm: -800, zStepNm: 20, frames: 81, seed: 6 });
  const windows = beadWindowsOf(beads.frames.map((f) => Float64Array.from(f, (v) => v - 100)), beads.width, beads.height, PSF_CALIBRATION_DEFAULTS.boxPx + 2 * PSF_CALIBRATION_DEFAULTS.marginPx);
  const result = calibratePsf([{ name: 'beads', windows, saturationPhotons: 65435 }], { zStartNm: -800, zStepNm: 20, pixelSizeNm: 100, zOrigin: 'stage' });

  it('is written to the file, read back (a file without it, an older one or an empty table: none), and a malformed one is refused', async () => {
    const table = result.zErrorByDepth;
    assert.ok(table && table.zNm.length >= 12, `${table?.zNm.length} bins`);
    assert.ok(table.zNm.every((z, i) => i === 0 || z > table.zNm[i - 1]), 'depths increase');
    const path = join(dir, 'psf.h5');
    await writeSplineCalibration(path, result.spline, { pixelSizeNm: 100, boxPx: result.box, record: { zErrorRmsNm: result.zErrorRmsNm, zErrorByDepth: table } });
    const read = (await readCalibrationFile(path)).spline;
    assert.deepEqual(read?.zModelErrorByDepth, table);
    assert.equal(read?.zModelErrorNm, result.zErrorRmsNm);
    const older = join(dir, 'older.h5');
    await writeSplineCalibration(older, result.spline, { pixelSizeNm: 100, record: { zErrorRmsNm: 9 } });
    const o = (await readCalibrationFile(older)).spline;
    assert.equal(o?.zModelErrorByDepth, undefined);
    assert.equal(o?.zModelErrorNm, 9);
    // An empty table (no bin with enough frames) is no table: the one RMS at every depth.
    const empty = join(dir, 'empty.h5');
    await writeSplineCalibration(empty, result.spline, { pixelSizeNm: 100, record: { zErrorRmsNm: 9, zErrorByDepth: { zNm: [], errorNm: [] } } });
    const e = (await readCalibrationFile(empty)).spline;
    assert.equal(e?.zModelErrorByDepth, undefined);
    assert.equal(e?.zModelErrorNm, 9);
    // The model error and CRLB scale by depth come with the table, both or neither, κ ≥ 1.
    assert.ok(table.modelErrorNm && table.crlbScale && table.crlbScale.every((k) => k >= 1) && table.modelErrorNm.every((e) => e >= 0));
    const half = join(dir, 'half.h5');
    await writeSplineCalibration(half, result.spline, { pixelSizeNm: 100, record: { zErrorByDepth: { zNm: [0, 100], errorNm: [1, 2], crlbScale: [1, 1.1] } } });
    await assert.rejects(readCalibrationFile(half), (e: unknown) => e instanceof InputFileError && e.message.includes('modelErrorNm and crlbScale'));
    assert.ok(table.crlbScaleX?.length === table.zNm.length && table.crlbScaleY?.every((k) => k >= 1), 'κ_x, κ_y by depth');
    const lateral = join(dir, 'lateral.h5');
    await writeSplineCalibration(lateral, result.spline, { pixelSizeNm: 100, record: { zErrorByDepth: { zNm: [0, 100], errorNm: [1, 2], modelErrorNm: [1, 1], crlbScale: [1, 1.1], crlbScaleX: [1, 1.2] } } });
    await assert.rejects(readCalibrationFile(lateral), (e: unknown) => e instanceof InputFileError && e.message.includes('crlbScaleX and crlbScaleY'));
    const below = join(dir, 'below.h5');
    await writeSplineCalibration(below, result.spline, { pixelSizeNm: 100, record: { zErrorByDepth: { zNm: [0, 100], errorNm: [1, 2], modelErrorNm: [1, 1], crlbScale: [1, 0.9] } } });
    await assert.rejects(readCalibrationFile(below), (e: unknown) => e instanceof InputFileError && e.message.includes('crlbScale ≥ 1'));
    const bad = join(dir, 'bad.h5');
    await writeSplineCalibration(bad, result.spline, { pixelSizeNm: 100, record: { zErrorByDepth: { zNm: [0, -100], errorNm: [1, 2] } } });
    await assert.rejects(readCalibrationFile(bad), (e: unknown) => e instanceof InputFileError && e.message.startsWith(`${bad}: smlm_stream.zErrorByDepth`));
  });

  it("makes uncertainty_z follow the RMSE band by band over ±600 nm on pupil-function spots (within 15 %), where the beads' own error did not", () => {
    // 150 spots a 200 nm band over −600…+600 nm (2 000 photons, 20 photons/px, Poisson, seed 3),
    // each fitted through the beads' spline in a 15 px window as localize fits it, its
    // uncertainty_z as localize writes it: √(CRLB² + zModelErrorAt(z, …, CRLB)²). The table
    // measured at a spot's brightness (the left-out beads thinned) against the one measured at the
    // beads' (spotFitsPerPlane 0, the error by depth before): at +400…+600 nm, where the PSF tells little
    // about z, a 2 000-photon spot's fit spreads ~1.3–1.4 × its CRLB (the true PSF's own spline
    // too: splineBudget.ts), which a 20 000-photon bead's does not show. 150 spots give an RMSE
    // within ±6 % (1 SD, √(1/2n)): the 15 % band is 2.5 SD.
    const beadOnly = calibratePsf([{ name: 'beads', windows, saturationPhotons: 65435 }], { zStartNm: -800, zStepNm: 20, pixelSizeNm: 100, zOrigin: 'stage', spotFitsPerPlane: 0 });
    const psf = new PupilPsf(100, optics);
    const box = 15, half = (box - 1) / 2, perBand = 150;
    const fit = new WasmSplineFit(box, result.spline, 100);
    const rng = new Random(3);
    const data = new Float64Array(box * box);
    const ratios: string[] = [];
    let worstSpot = 0, worstBead = 0;
    for (let band = -600; band < 600; band += 200) {
      let e2 = 0, spot2 = 0, bead2 = 0, n = 0;
      for (let k = 0; k < perBand; k++) {
        const z = band + 200 * rng.uniform();
        const x = half + rng.uniform(), y = half + rng.uniform();
        data.fill(0);
        psf.add(data, box, box, x, y, 2000, z);
        for (let i = 0; i < data.length; i++) data[i] = rng.poisson(data[i] + 20);
        fit.fit(data, 0, { x: half + 0.5, y: half + 0.5, photons: 2000, background: 20 }, { maxIterations: 50, tolerance: 1e-4 });
        const dz = fit.theta[4] - z;
        if (!(Math.abs(dz) <= 250)) continue;
        const crlb = fit.crlb[4];
        e2 += dz * dz;
        spot2 += crlb * crlb + zModelErrorAt(fit.theta[4], result.zErrorRmsNm ?? 0, result.zErrorByDepth, crlb) ** 2;
        bead2 += crlb * crlb + zModelErrorAt(fit.theta[4], beadOnly.zErrorRmsNm ?? 0, beadOnly.zErrorByDepth, crlb) ** 2;
        n++;
      }
      assert.ok(n >= perBand - 3, `${band} nm: ${n} of ${perBand} within 250 nm`);
      const bySpot = Math.sqrt(e2 / spot2), byBead = Math.sqrt(e2 / bead2);
      ratios.push(`${band}…${band + 200}: ${bySpot.toFixed(2)} (${byBead.toFixed(2)})`);
      worstSpot = Math.max(worstSpot, Math.abs(bySpot - 1));
      worstBead = Math.max(worstBead, Math.abs(byBead - 1));
    }
    assert.ok(worstSpot < 0.15, `RMSE / uncertainty_z by band, at a spot's brightness (the beads'): ${ratios.join(', ')}`);
    assert.ok(worstSpot < worstBead - 0.1, `worst band off 1 by ${worstSpot.toFixed(2)} against ${worstBead.toFixed(2)}: ${ratios.join(', ')}`);
  });
});
