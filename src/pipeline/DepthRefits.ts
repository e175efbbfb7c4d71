import type { PatchDepths } from '../astig/PatchDepths.js';
import type { FrameCamera } from '../camera/CameraModel.js';
import { Candidates } from '../detect/Candidates.js';
import type { ResolvedFits } from '../fit/CrowdingResolver.js';
import { createFitResults } from '../fit/FitResults.js';
import { FitRows } from '../fit/FitRows.js';
import { FitStatus } from '../fit/FitStatus.js';
import type { PsfModel } from '../fit/PsfModel.js';
import type { PixelArray } from '../io/Frame.js';
import { extractPatches } from '../patches/extractPatches.js';
import type { PatchOutputs } from '../patches/extractPatches.js';
import { subtractKnownBackground } from '../patches/subtractKnownBackground.js';

/** Gauss–Seidel sweeps of 3-D refits over a frame's rows ({@link DepthRefits}). */
export const DEPTH_REFIT_SWEEPS = 2;

/**
 * A refit that moves its row by less than this many of the row's √CRLB (x, y, z each by its
 * own) leaves its neighbours' refits of the next sweep as they were (as ResidualPass's
 * REFINE_TOLERANCE_CRLB).
 */
export const DEPTH_REFIT_TOLERANCE_CRLB = 0.1;

/** The current frame, as the 3-D refits read it. */
export interface DepthRefitFrame {
  /** The frame, row-major, in the camera's units (ADU). */
  readonly data: PixelArray;
  readonly width: number;
  readonly height: number;
  readonly camera: FrameCamera;
  /** Pixels at or above this value (the frame's units) are saturated. */
  readonly saturation: number;
  /** The frame's known background B (photons) and the fits' pedestal δ, when it has one (`knownBackground`). */
  readonly known: { readonly photons: Float64Array; readonly pedestal: number } | undefined;
}

/**
 * The 3-D counterpart of the residual passes' refits ({@link ResidualPass}): after a frame's 3-D
 * fits (single and crowded windows), every converged row whose box holds other converged rows'
 * light is fitted again in a box centred on its pixel with those neighbours' fitted models —
 * N·PSF(pixel − (x, y); z) of the run's own 3-D model, rendered into the box — held as a known
 * per-pixel background (`subtractKnownBackground`'s shifted Poisson: the neighbours' light is
 * part of μ, not of the data the row explains), in {@link DEPTH_REFIT_SWEEPS} Gauss–Seidel
 * sweeps (each refit's new model held by the rows after it). Each refit starts x, y, N, b from
 * the row and ranks the fitter's z starts again on the held data (a neighbour's light that
 * pulled z to its depth no longer does). A refit that does not converge keeps the row as it was.
 *
 * One instance per run; allocates scratch when the rows outgrow it.
 */
export class DepthRefits {
  /** Refits of the last {@link run} (for tests and profiles). */
  refits = 0;
  private readonly out = new FitRows();
  private readonly theta = new Float64Array(5);
  private readonly held: Float64Array;
  private readonly one = createFitResults(1);
  private readonly centre = new Candidates();
  private readonly patch: PatchOutputs & { patches: Float64Array; shift: Float64Array; saturated: Uint8Array };
  private readonly start = { x: 0, y: 0, photons: 0, background: 0 };
  /** Rows by x (indices), their frame positions, and each row's neighbours (CSR). */
  private order = new Int32Array(0);
  private fx = new Float64Array(0);
  private fy = new Float64Array(0);
  private first = new Int32Array(0);
  private list: Int32Array<ArrayBuffer> = new Int32Array(0);
  /** Per row: due a refit in this sweep, and moved in it. */
  private due = new Uint8Array(0);
  private moved = new Uint8Array(0);

  /**
   * @param depths - the run's 3-D fit of a patch (its fitter and output)
   * @param model - the run's 3-D model for a box of the fit's width (renders a neighbour's μ)
   * @param box - the fit's box, px
   * @param sweeps - Gauss–Seidel sweeps @default DEPTH_REFIT_SWEEPS
   */
  constructor(
    private readonly depths: PatchDepths,
    private readonly model: PsfModel,
    private readonly box: number,
    private readonly sweeps = DEPTH_REFIT_SWEEPS,
  ) {
    const area = box * box;
    this.held = new Float64Array(area);
    this.patch = { patches: new Float64Array(area), originColumn: new Int32Array(1), originRow: new Int32Array(1), saturated: new Uint8Array(1), shift: new Float64Array(area) };
  }

  /**
   * Refit the rows of one frame with their neighbours held.
   * @param frame - the frame, its camera and known background
   * @param fits - the frame's 3-D rows (after crowding)
   * @returns the rows, refitted (this object's scratch, valid until the next call)
   */
  run(frame: DepthRefitFrame, fits: ResolvedFits): ResolvedFits {
    const out = this.out;
    out.count = 0;
    out.appendRange(fits.rows, 0, fits.count, fits.originColumn, fits.originRow);
    out.emitters.set(fits.emitters.subarray(0, fits.count), 0);
    this.refits = 0;
    const n = out.count;
    if (this.neighbours(n) === 0) return this.resolved();
    const { due, moved, first, list } = this;
    due.fill(1, 0, n);
    for (let sweep = 0; sweep < this.sweeps; sweep++) {
      moved.fill(0, 0, n);
      for (let p = 0; p < n; p++) if (due[p]) this.refit(frame, p);
      // The next sweep refits the rows next to one that moved.
      let any = false;
      for (let p = 0; p < n; p++) {
        due[p] = 0;
        for (let i = first[p]; i < first[p + 1] && !due[p]; i++) due[p] = moved[list[i]];
        any ||= due[p] === 1;
      }
      if (!any) break;
    }
    return this.resolved();
  }

  private resolved(): ResolvedFits {
    const out = this.out;
    return { rows: out.rows, emitters: out.emitters, originColumn: out.column, originRow: out.row, count: out.count };
  }

  /**
   * Each converged row's converged neighbours whose light may reach its box (centres within
   * `box` px along each axis), into {@link first}/{@link list}; positions into {@link fx}, {@link fy}.
   * @returns the pairs found
   */
  private neighbours(n: number): number {
    if (this.fx.length < n) {
      this.fx = new Float64Array(2 * n);
      this.fy = new Float64Array(2 * n);
      this.order = new Int32Array(2 * n);
      this.first = new Int32Array(2 * n + 1);
      this.due = new Uint8Array(2 * n);
      this.moved = new Uint8Array(2 * n);
    }
    const { fx, fy, order, first } = this;
    const { rows, column, row } = this.out;
    let m = 0;
    for (let p = 0; p < n; p++) {
      fx[p] = column[p] + rows.x[p];
      fy[p] = row[p] + rows.y[p];
      if (rows.status[p] === FitStatus.converged) order[m++] = p;
    }
    order.subarray(0, m).sort((a, b) => fx[a] - fx[b]);
    const reach = this.box;
    let pairs = 0;
    first[0] = 0;
    for (let p = 0; p < n; p++) {
      if (rows.status[p] === FitStatus.converged) {
        // The first row at x ≥ fx[p] − reach (binary search), then along x.
        let lo = 0, hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (fx[order[mid]] < fx[p] - reach) lo = mid + 1;
          else hi = mid;
        }
        for (let i = lo; i < m && fx[order[i]] <= fx[p] + reach; i++) {
          const q = order[i];
          if (q === p || Math.abs(fy[q] - fy[p]) > reach) continue;
          if (this.list.length <= pairs) this.list = growInt(this.list, pairs + 1);
          this.list[pairs++] = q;
        }
      }
      first[p + 1] = pairs;
    }
    return pairs;
  }

  /** Refit row p with its neighbours' models held (nothing where it has none or did not converge). */
  private refit(frame: DepthRefitFrame, p: number): void {
    const { first, list, fx, fy, box, held, theta, model, patch, start } = this;
    const out = this.out;
    const rows = out.rows;
    if (first[p + 1] === first[p] || rows.status[p] !== FitStatus.converged) return;
    const { width, height, known } = frame;
    const centre = this.centre;
    centre.count = 0;
    centre.push(Math.floor(fy[p]), Math.floor(fx[p]), p);
    patch.shift.fill(0);
    extractPatches(frame.data, width, height, centre, box, patch, frame.camera, frame.saturation);
    if (patch.saturated[0]) return;
    const c0 = patch.originColumn[0];
    const r0 = patch.originRow[0];
    if (known) subtractKnownBackground(known.photons, width, known.pedestal, 1, box, patch.originColumn, patch.originRow, patch.patches, patch.shift);
    held.fill(0);
    let any = false;
    for (let i = first[p]; i < first[p + 1]; i++) {
      const q = list[i];
      // A neighbour that failed since (it did not, refits keep the row) is skipped all the same.
      if (rows.status[q] !== FitStatus.converged) continue;
      theta[0] = out.column[q] + rows.x[q] - c0;
      theta[1] = out.row[q] + rows.y[q] - r0;
      theta[2] = rows.photons[q];
      theta[3] = 0;
      theta[4] = rows.z[q];
      if (model.evaluate(theta, held, true)) any = true;
    }
    if (!any) return;
    const area = box * box;
    for (let k = 0; k < area; k++) {
      patch.patches[k] -= held[k];
      patch.shift[k] += held[k];
    }
    start.x = out.column[p] + rows.x[p] - c0;
    start.y = out.row[p] + rows.y[p] - r0;
    start.photons = rows.photons[p];
    start.background = rows.background[p];
    this.refits++;
    const status = this.depths.fitRow(patch.patches, 0, start, patch.shift, this.one, 0);
    if (status !== FitStatus.converged) return;
    const z = rows.z[p];
    out.replace(p, this.one, 0, c0, r0);
    const x = c0 + rows.x[p];
    const y = r0 + rows.y[p];
    // How far it moved, in its own √CRLB (NaN bounds: moved).
    const by = Math.max(Math.abs(x - fx[p]) / rows.uncertaintyX[p], Math.abs(y - fy[p]) / rows.uncertaintyY[p], Math.abs(rows.z[p] - z) / rows.uncertaintyZ[p]);
    if (!(by <= DEPTH_REFIT_TOLERANCE_CRLB)) this.moved[p] = 1;
    fx[p] = x;
    fy[p] = y;
  }
}

/** `a` grown to hold at least `n` values (doubling), its values kept. */
function growInt(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(2 * a.length, n, 16));
  b.set(a);
  return b;
}
