/**
 * The words the summary and the warnings use for the measured σ: which method gave it, and on
 * how many frames (the σ reads at most SETTINGS_FRAMES of the frames the settings step read).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { psfSigmaMethodText, SETTINGS_FRAMES } from '../../pipelines/estimateRunSettings.js';

test('spots: the median of the spots; spectrum: the power spectrum, the spots named as blends', () => {
  const spots = psfSigmaMethodText({ sigmaNm: 131, sdNm: 4.2, seNm: 0.2, spots: 400, method: 'spots' }, 30);
  assert.equal(spots, 'the median of 400 spots of the first 30 frames (spread 4.2 nm)');
  const spectrum = psfSigmaMethodText({ sigmaNm: 130, sdNm: 30, seNm: 0.59, spots: 25, method: 'spectrum' }, SETTINGS_FRAMES + 10);
  assert.match(spectrum, new RegExp(`^from the power spectrum of frame differences of the first ${SETTINGS_FRAMES} frames \\(the 25 isolated spots' fits spread 30 nm: blends\\)$`));
  assert.doesNotMatch(spectrum, /median/);
});
