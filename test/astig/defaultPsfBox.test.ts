import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PSF_CALIBRATION_DEFAULTS } from '../../src/astig/calibratePsf.js';
import { defaultPsfBox } from '../../src/astig/defaultPsfBox.js';

test("defaultPsfBox: 21 px, or the odd px spanning 1 600 nm for small pixels, at most the spline's padded side", () => {
  assert.equal(PSF_CALIBRATION_DEFAULTS.minBoxNm, 1600);
  assert.equal(defaultPsfBox(100), 21);
  assert.equal(defaultPsfBox(160), 21);
  // 1 600 / 77 = 20.8 → 21; 1 600 / 65 = 24.6 → 25; 1 600 / 70 = 22.9 → 23.
  assert.equal(defaultPsfBox(77), 21);
  assert.equal(defaultPsfBox(70), 23);
  assert.equal(defaultPsfBox(65), 25);
  // 1 600 / 40 = 40 → capped at the padded side (2·MAX_BOX_PX + 1).
  assert.equal(defaultPsfBox(40), PSF_CALIBRATION_DEFAULTS.splineSidePx);
  assert.equal(defaultPsfBox(Number.NaN), 21);
  assert.equal(defaultPsfBox(0), 21);
});
