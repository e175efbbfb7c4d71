/**
 * Make patches cut from a frame fit with a known per-pixel background B (photons): data n − B + δ
 * and shift s + B − δ, so that data + shift = n + s and model + shift = μ + s + B − δ — exactly
 * the shifted-Poisson likelihood of the counts with B known (docs/design.md §3, §6), its Fisher
 * information and CRLB from the right expected counts. The fit's free constant background b is
 * then the offset above B − δ: the pedestal δ (per frame, the frame's darkest B, `knownBackground`)
 * keeps b off its floor where the median is a little high (spots lift it) and every shift ≥ 0;
 * the table's offset is b − δ + B at the spot's pixel.
 *
 * @param backgroundPhotons - B, photons per pixel of the frame, row-major
 * @param width - frame width, px
 * @param pedestal - δ, photons per pixel
 * @param count - patches
 * @param box - patch width, px
 * @param originColumn - each patch's first column
 * @param originRow - each patch's first row
 * @param patches - box² photons per patch, changed in place
 * @param shift - box² shifts per patch (the camera's, 0 for a Poisson camera), changed in place
 */
export function subtractKnownBackground(
  backgroundPhotons: Float64Array,
  width: number,
  pedestal: number,
  count: number,
  box: number,
  originColumn: Int32Array,
  originRow: Int32Array,
  patches: Float64Array,
  shift: Float64Array,
): void {
  let k = 0;
  for (let p = 0; p < count; p++) {
    const c0 = originColumn[p];
    const r0 = originRow[p];
    for (let r = 0; r < box; r++) {
      const base = (r0 + r) * width + c0;
      for (let c = 0; c < box; c++, k++) {
        const b = backgroundPhotons[base + c] - pedestal;
        patches[k] -= b;
        shift[k] += b;
      }
    }
  }
}
