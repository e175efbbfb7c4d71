import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PsfCalibrationResult } from '../../src/astig/calibratePsf.js';
import { plotPsfCalibration } from '../../src/astig/plotPsfCalibration.js';
import { psfCalibrationSpec } from '../../src/astig/psfCalibrationSpec.js';

interface Axis { orient: string; title: string; tickCount?: number }
interface Panel { type: string; axes: Axis[]; encode: { enter?: Record<string, { value?: number; signal?: string }>; update?: unknown } }

/** A small calibration result: a 5 px, 9-plane PSF and a few leave-one-out points. */
function result(zOrigin: 'focus' | 'stage'): PsfCalibrationResult {
  const planes = 9, box = 5;
  const psf = Float64Array.from({ length: planes * box * box }, (_, i) => (i % 7) / 7);
  const planeZNm = Array.from({ length: planes }, (_, k) => -400 + 100 * k);
  return {
    psf, box, planes, planeZNm, zOrigin, usableRangeNm: [-300, 300], zErrorRmsNm: 4,
    leaveOneOut: planeZNm.map((zNm, k) => ({ zNm, errorNm: k - 4, bead: 1 })),
    beads: [{ stack: 'a.tif', xNm: 0, yNm: 0, photons: 1, backgroundPhotons: 0, kept: true }],
  } as unknown as PsfCalibrationResult;
}

describe('psfCalibrationSpec', () => {
  const panels = (z: 'focus' | 'stage') => (psfCalibrationSpec(result(z), 100).marks as Panel[]).filter((m) => m.type === 'group');

  it('says where z = 0 is on every z axis', () => {
    for (const [origin, words] of [['stage', "0 at the stage's zero"], ['focus', '0 at the focus']] as const) {
      const zAxes = panels(origin).flatMap((p) => p.axes).filter((a) => a.title.startsWith('z '));
      assert.equal(zAxes.length, 3);
      for (const a of zAxes) assert.ok(a.title.includes(words), `${origin}: ${a.title}`);
    }
  });

  it('gives every panel a titled bottom axis and a size of its own', () => {
    for (const p of panels('stage')) {
      assert.ok(p.axes.some((a) => a.orient === 'bottom' && a.title.length > 0));
      // Plain values: a size read from a signal in `update` put the bottom axis at the top.
      assert.ok((p.encode.enter?.width?.value ?? 0) > 0 && (p.encode.enter?.height?.value ?? 0) > 0);
      assert.equal(p.encode.update, undefined);
    }
  });

  it('renders to a PNG', async () => {
    const png = await plotPsfCalibration(result('stage'), 100);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });
});
