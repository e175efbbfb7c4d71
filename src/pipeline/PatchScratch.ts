import { createFitResults } from '../fit/FitResults.js';
import type { FitResults } from '../fit/FitResults.js';
import type { PatchOutputs } from '../patches/extractPatches.js';

/**
 * The scratch of one batch of patch fits: the patches (photons), the camera's shift per pixel,
 * the patches' origins in the frame, which hold a saturated pixel, the start values and the
 * fits' results. Grown (to twice the need, at least 64 patches) when a frame has more
 * candidates than it holds, never per frame; FrameLocalizer's first pass and ResidualPass's
 * later ones each own one.
 */
export class PatchScratch {
  patches = new Float64Array(0);
  shift = new Float64Array(0);
  originColumn = new Int32Array(0);
  originRow = new Int32Array(0);
  saturated = new Uint8Array(0);
  start = { x: new Float64Array(0), y: new Float64Array(0), photons: new Float64Array(0), background: new Float64Array(0), sigma: new Float64Array(0) };
  results: FitResults = createFitResults(0);
  /** The arrays above as extractPatches' outputs (one object, made again when {@link ensure} grows them). */
  outputs: PatchOutputs = { patches: this.patches, originColumn: this.originColumn, originRow: this.originRow, saturated: this.saturated, shift: this.shift };

  /**
   * Make room for `n` patches of `area` pixels (the shift's too when `shifted`).
   * @param n - patches
   * @param area - pixels a patch (box²)
   * @param shifted - the fits take a per-pixel shift
   */
  ensure(n: number, area: number, shifted: boolean): void {
    if (this.originColumn.length >= n && this.patches.length >= n * area && (!shifted || this.shift.length >= n * area)) return;
    const capacity = Math.max(64, 2 * n);
    this.patches = new Float64Array(capacity * area);
    this.shift = new Float64Array(shifted ? capacity * area : 0);
    this.originColumn = new Int32Array(capacity);
    this.originRow = new Int32Array(capacity);
    this.saturated = new Uint8Array(capacity);
    const f = () => new Float64Array(capacity);
    this.start = { x: f(), y: f(), photons: f(), background: f(), sigma: f() };
    this.results = createFitResults(capacity);
    this.outputs = { patches: this.patches, originColumn: this.originColumn, originRow: this.originRow, saturated: this.saturated, shift: this.shift };
  }
}
