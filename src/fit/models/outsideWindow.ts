import { LEAVE_PATCH_PX } from '../fitConstants.js';

/**
 * Whether a position (x, y px in a `box`-wide window, θ[0], θ[1]) lies more than LEAVE_PATCH_PX
 * outside it: the {@link PsfModel.leftWindow} of every model (the fit stops with STATUS_LEFT_PATCH).
 */
export function outsideWindow(theta: Float64Array, box: number): boolean {
  return theta[0] < -LEAVE_PATCH_PX || theta[1] < -LEAVE_PATCH_PX || theta[0] > box + LEAVE_PATCH_PX || theta[1] > box + LEAVE_PATCH_PX;
}
