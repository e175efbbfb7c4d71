import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PUPIL_PSF_DEFAULTS } from '../../src/simulate/PupilPsf.js';
import { CLI } from './cliArgs.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-pupil-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('simulate --psf pupil: a 3-D stack drawn through the pupil, its PSF recorded in OUT.psf.json; its flags need it', () => {
  const stack = join(dir, 'pupil.tif');
  const made = spawnSync(process.execPath, [...CLI, 'simulate', stack, '--psf', 'pupil', '--zernike-spherical', '15', '--zernike-coma', '12', '--na', '1.45', '--astigmatism', '300', '--frames', '3', '--width', '32', '--height', '32', '--quiet'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /PSF: a scalar pupil function → .*pupil\.psf\.json/);
  const record = JSON.parse(readFileSync(join(dir, 'pupil.psf.json'), 'utf8'));
  assert.equal(record.psf, 'scalar pupil function');
  assert.equal(record.numericalAperture, 1.45);
  assert.equal(record.sphericalNm, 15);
  assert.equal(record.comaNm, 12);
  assert.equal(record.trefoilNm, PUPIL_PSF_DEFAULTS.trefoilNm);
  assert.equal(record.astigmatismNm, PUPIL_PSF_DEFAULTS.astigmatismNm);
  assert.equal(record.sampleIndex, PUPIL_PSF_DEFAULTS.immersionIndex);
  assert.match(readFileSync(join(dir, 'pupil.truth.csv'), 'utf8'), /^"frame","x \[nm\]","y \[nm\]","photons","background","emitter","z \[nm\]"\n/);
  // The pupil's flags without --psf pupil, an unknown model, an impossible aperture: one line each, exit 2.
  for (const [args, message] of [
    [['--na', '1.4'], /^smlm-stream: --na describes the pupil PSF: add --psf pupil\n$/],
    [['--zernike-trefoil', '10'], /^smlm-stream: --zernike-trefoil describes the pupil PSF: add --psf pupil\n$/],
    [['--psf', 'airy'], /^smlm-stream: --psf must be gaussian, pupil, or a spline calibration FILE\.h5 \(calibrate-psf's, Picasso's, SMAPpy's\), got 'airy'\n$/],
    [['--psf', 'pupil', '--na', '1.6'], /^smlm-stream: .*--na \(1\.6\) must be below the immersion index \(1\.518\)\n$/],
  ] as const) {
    const refused = spawnSync(process.execPath, [...CLI, 'simulate', join(dir, 'refused.tif'), '--frames', '2', '--quiet', ...args], { encoding: 'utf8' });
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, message);
    assert.equal(existsSync(join(dir, 'refused.tif')), false);
  }
});
