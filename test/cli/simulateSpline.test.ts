import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { SplinePsf } from '../../src/fit/spline/SplinePsf.js';
import { SplineEvaluator } from '../../src/fit/spline/SplineEvaluator.js';
import { readSplineCalibration } from '../../src/export/readSplineCalibration.js';
import { run as calibratePsf } from '../../src/cli/calibratePsfCommand.js';
import { run as simulate } from '../../src/cli/simulateCommand.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-simspline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Run a command in this process (the CLI's dispatch is tested elsewhere): its status and stdout. */
async function cli(command: 'simulate' | 'calibrate-psf', ...args: string[]): Promise<{ status: number; stdout: string }> {
  const lines: string[] = [];
  const status = await (command === 'simulate' ? simulate : calibratePsf)(args, (line) => lines.push(line));
  return { status, stdout: lines.join('\n') };
}

/** Relative RMS difference of b from a and the largest difference over a's peak, on pixel-centred samples ±6 px about the emitter, z from lo to hi every 10 nm. */
function compare(a: SplinePsf, b: SplinePsf, lo: number, hi: number, zShiftNm = 0): { rms: number; max: number } {
  const ea = new SplineEvaluator(a), eb = new SplineEvaluator(b);
  const out = new Float64Array(4);
  const at = (e: SplineEvaluator, s: SplinePsf, dx: number, dy: number, z: number) => {
    e.at(s.centerXPx + dx, s.centerYPx + dy, (z - s.zStartNm) / s.dzNm, out);
    return out[0];
  };
  let peak = 0, max = 0, dd = 0, aa = 0;
  for (let z = lo; z <= hi; z += 10) {
    for (let dy = -6; dy <= 6; dy++) {
      for (let dx = -6; dx <= 6; dx++) {
        const va = at(ea, a, dx, dy, z), vb = at(eb, b, dx, dy, z + zShiftNm);
        peak = Math.max(peak, va);
        max = Math.max(max, Math.abs(va - vb));
        dd += (va - vb) ** 2;
        aa += va * va;
      }
    }
  }
  return { rms: Math.sqrt(dd / aa), max: max / peak };
}

test('calibrate-psf → simulate --psf PSF.h5 --beads → calibrate-psf gives the same PSF', async () => {
  // Beads through the pupil PSF (not a Gaussian), 10⁵ photons a frame, 41 planes 40 nm apart.
  const beads = join(dir, 'pupil.tif');
  const psf = join(dir, 'psf.h5');
  let r = await cli('simulate', beads, '--beads', '--psf', 'pupil', '--photons', '100000', '--frames', '41', '--z-step', '40', '--quiet');
  assert.equal(r.status, 0);
  r = await cli('calibrate-psf', beads, '--z-start', '-800', '--z-step', '40', '-o', psf);
  assert.equal(r.status, 0);
  // The same beads' field drawn through that spline, within its range, and calibrated again.
  const again = join(dir, 'spline.tif');
  const psf2 = join(dir, 'psf2.h5');
  r = await cli('simulate', again, '--beads', '--psf', psf, '--photons', '100000', '--frames', '31', '--z-start', '-600', '--z-step', '40');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /the PSF → .*spline\.psf\.json/);
  const record = JSON.parse(readFileSync(join(dir, 'spline.psf.json'), 'utf8')) as { psf: string; source: string; pixelSizeNm: number; zRangeNm: number[]; normalisation: string };
  assert.equal(record.source, psf);
  assert.equal(record.pixelSizeNm, 100);
  assert.match(record.normalisation, /brightest plane sums to 1/);
  r = await cli('calibrate-psf', again, '--z-start', '-600', '--z-step', '40', '-o', psf2);
  assert.equal(r.status, 0);
  const [a, b] = await Promise.all([readSplineCalibration(psf), readSplineCalibration(psf2)]);
  // Measured over ±500 nm: 2.7 % RMS, at most 3.7 % of the peak (z = 0 found 3 nm apart, the
  // centroids ≤ 0.02 px apart; not the z smoothing: without it the same). 4 % and 5 % allow for
  // the noise of 9 beads; the PSF 100 nm deeper differs by several times that.
  const same = compare(a.spline, b.spline, -500, 500);
  assert.ok(same.rms < 0.04 && same.max < 0.05, JSON.stringify(same));
  const shifted = compare(a.spline, b.spline, -400, 400, 100);
  assert.ok(shifted.rms > 3 * same.rms, JSON.stringify({ same, shifted }));
});

test('simulate --psf PSF.h5: a stack, its records; refusals name the file and the ranges', async () => {
  const psf = join(dir, 'psf.h5');
  const stack = join(dir, 'stack.tif');
  let r = await cli('simulate', stack, '--psf', psf, '--astigmatism', '400', '--frames', '3', '--quiet');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /PSF: the spline .*psf\.h5 → .*stack\.psf\.json/);
  const settings = readFileSync(join(dir, 'stack.truth.json'), 'utf8');
  const options = (JSON.parse(settings) as { options: { spline: { source: string; coefficients: number; zRangeNm: number[] } } }).options;
  assert.equal(options.spline.source, psf);
  // The coefficients stay in the PSF's file: the record counts them.
  assert.ok(options.spline.coefficients > 10000 && settings.length < 20000, String(settings.length));
  assert.match(readFileSync(join(dir, 'stack.truth.csv'), 'utf8'), /"z \[nm\]"/);
  const refused = (pattern: RegExp, ...args: string[]) => assert.rejects(async () => cli('simulate', join(dir, 'x.tif'), ...args, '--quiet'), pattern);
  await refused(/--pixel-size 110 nm differs from the 100 nm pixels the spline PSF .*psf\.h5 was measured with/, '--psf', psf, '--pixel-size', '110');
  await refused(/z from -2000 to 2000 nm, beyond the spline PSF's z range -\d+(\.\d)? … \d+(\.\d)? nm/, '--psf', psf, '--astigmatism', '2000');
  // The PSF spans the beads' −800…800 nm (calibrate-psf crops z only as far as the beads' shifts
  // need): a bead stack from −1200 nm reaches beyond it.
  await refused(/the bead stack's frames asks for z from -1200 to -?\d+ nm, beyond the spline PSF's z range/, '--beads', '--psf', psf, '--z-start', '-1200');
  await refused(/--na describes the pupil PSF: add --psf pupil \(a spline calibration is its own optics\)/, '--psf', psf, '--na', '1.4');
  await refused(/--psf must be gaussian, pupil, or a spline calibration FILE\.h5/, '--psf', join(dir, 'stack.truth.json'));
});
