/**
 * A frame in photons whose pixels are computed where they are read, row by row: what
 * SpotDetector.detectTiles loads into the detection kernel when the frame is not held as an
 * array (the residual passes compute frame − model over the regions they detect in, and write
 * it straight into the kernel's memory). Each value must be the one an f32 array of the frame
 * would hold, so the candidates are the same.
 */
export interface RegionPixels {
  /**
   * Write the photons of frame row `row`, columns [c0, c1), to `target[at … at + c1 − c0 − 1]`.
   * @param target - the kernel's image buffer (f32)
   * @param at - where column c0 goes
   * @param row - frame row
   * @param c0 - first column
   * @param c1 - end column (exclusive)
   */
  copyRow(target: Float32Array, at: number, row: number, c0: number, c1: number): void;
}
