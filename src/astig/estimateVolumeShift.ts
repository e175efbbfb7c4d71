/**
 * The offset d = (dz, dy, dx) (planes, px, px) at which `moving` best matches `reference`,
 * moving(p + d) ≈ reference(p): the maximum over whole offsets within `limits` of the
 * normalised cross-correlation C(s) = Σ_p ref(p)·mov(p + s) / √Σ_p mov(p + s)², p over the
 * volume less `limits + 1` at each end (so every offset sees the same voxels of the
 * reference), refined to a sub-voxel offset by a parabola through the peak and its two
 * neighbours on each axis (clamped to ±½). The registration of bead z-stacks before they are
 * averaged (Li et al., Nat. Methods 15:367, 2018, as SMAP and SMAPpy do); iterate with the
 * resampled bead ({@link shiftVolume}) to shrink the parabola's bias.
 * @param reference - the volume matched against, `[(plane·rows + row)·columns + column]`
 * @param moving - the volume whose offset is found (same size)
 * @param planes - size along z
 * @param rows - size along y
 * @param columns - size along x
 * @param limitZ - largest whole offset tried along z, planes
 * @param limitXY - largest whole offset tried along y and x, px
 * @returns [dz, dy, dx] and the peak's correlation (the cosine of the angle between the
 *   volumes, 1 for identical shapes)
 */
export function estimateVolumeShift(reference: Float64Array, moving: Float64Array, planes: number, rows: number, columns: number, limitZ: number, limitXY: number): { shift: [number, number, number]; correlation: number } {
  const lz = limitZ + 1;
  const lxy = limitXY + 1;
  const sz = 2 * lz + 1;
  const sxy = 2 * lxy + 1;
  const scores = new Float64Array(sz * sxy * sxy);
  let refEnergy = 0;
  for (let z = lz; z < planes - lz; z++) for (let y = lxy; y < rows - lxy; y++) for (let x = lxy; x < columns - lxy; x++) refEnergy += reference[(z * rows + y) * columns + x] ** 2;
  for (let a = -lz; a <= lz; a++) {
    for (let b = -lxy; b <= lxy; b++) {
      for (let c = -lxy; c <= lxy; c++) {
        let dot = 0;
        let energy = 0;
        for (let z = lz; z < planes - lz; z++) {
          for (let y = lxy; y < rows - lxy; y++) {
            const r = (z * rows + y) * columns;
            const m = ((z + a) * rows + y + b) * columns + c;
            for (let x = lxy; x < columns - lxy; x++) {
              const v = moving[m + x];
              dot += reference[r + x] * v;
              energy += v * v;
            }
          }
        }
        scores[((a + lz) * sxy + b + lxy) * sxy + c + lxy] = energy > 0 && refEnergy > 0 ? dot / Math.sqrt(energy * refEnergy) : -Infinity;
      }
    }
  }
  let best = -Infinity;
  let ba = 0, bb = 0, bc = 0;
  for (let a = -limitZ; a <= limitZ; a++) {
    for (let b = -limitXY; b <= limitXY; b++) {
      for (let c = -limitXY; c <= limitXY; c++) {
        const s = scores[((a + lz) * sxy + b + lxy) * sxy + c + lxy];
        if (s > best) {
          best = s;
          ba = a;
          bb = b;
          bc = c;
        }
      }
    }
  }
  const at = (a: number, b: number, c: number) => scores[((a + lz) * sxy + b + lxy) * sxy + c + lxy];
  const vertex = (minus: number, centre: number, plus: number) => {
    const curvature = minus - 2 * centre + plus;
    return curvature < 0 ? Math.max(-0.5, Math.min(0.5, (minus - plus) / (2 * curvature))) : 0;
  };
  return {
    shift: [
      ba + vertex(at(ba - 1, bb, bc), best, at(ba + 1, bb, bc)),
      bb + vertex(at(ba, bb - 1, bc), best, at(ba, bb + 1, bc)),
      bc + vertex(at(ba, bb, bc - 1), best, at(ba, bb, bc + 1)),
    ],
    correlation: best,
  };
}
