// PoissonEstimator.derivatives for the 3-D fits of five parameters (AstigmaticFit.ts's zDerivatives,
// SplineFit.ts's sDerivatives): ∇ℓ and the Fisher information summed over a window's pixels,
//
//     ∇ℓ_a = Σ_k ((n_k + s_k)/(μ_k + s_k) − 1)·∂μ_k/∂θ_a,   I_ae = Σ_k ∂μ_k/∂θ_a·∂μ_k/∂θ_e / (μ_k + s_k)
//
// (docs/design.md §8), each entry of the lower triangle summed in pixel order in one lane of an
// f64x2 register: the same products added in the same order as the JavaScript's scalar loop
// (d_a·inv first, then times d_e), so the same values, in 12 vector multiply-adds a pixel
// instead of 20 scalar ones.

/**
 * ∇ℓ into `gradient` (5) and the Fisher information into `fisher` (5 × 5, row-major, symmetric)
 * over a box × box window: μ at `mu`, the counts at `data` (f64 each; with `shifted`, each pixel's
 * shift s at data + delta). The source gives a pixel's ∂μ/∂θ in pairs (a class, so its calls are
 * direct and inlined, the pairs kept in registers): `d01(row, column)` = (∂μ/∂θ₀, ∂μ/∂θ₁),
 * `d23(…)` = (∂μ/∂θ₂, ∂μ/∂θ₃), `d4(…)` = (∂μ/∂θ₄, 0).
 */
export function fisherFive<S>(source: S, box: i32, data: usize, mu: usize, shifted: bool, delta: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
  const zero = f64x2.splat(0);
  let g01 = zero, g23 = zero, g4 = zero;
  // Row a of the lower triangle: its entries (a, 0…a) in pairs; the second lane of a row's last pair is unused.
  let f0 = zero, f1 = zero, f20 = zero, f21 = zero, f30 = zero, f31 = zero, f40 = zero, f41 = zero, f42 = zero;
  for (let r = 0; r < box; r++) {
    for (let col = 0; col < box; col++) {
      const o = <usize>(r * box + col) << 3;
      const at = data + o;
      const s: f64 = shifted ? load<f64>(at + delta) : 0;
      const inv = 1 / (load<f64>(mu + o) + s);
      const w = (load<f64>(at) + s) * inv - 1;
      const d01 = source.d01(r, col), d23 = source.d23(r, col), d45 = source.d4(r, col);
      const ws = f64x2.splat(w);
      g01 = f64x2.add(g01, f64x2.mul(ws, d01));
      g23 = f64x2.add(g23, f64x2.mul(ws, d23));
      g4 = f64x2.add(g4, f64x2.mul(ws, d45));
      const is = f64x2.splat(inv);
      const da01 = f64x2.mul(d01, is), da23 = f64x2.mul(d23, is);
      const a0 = f64x2.splat(f64x2.extract_lane(da01, 0));
      const a1 = f64x2.splat(f64x2.extract_lane(da01, 1));
      const a2 = f64x2.splat(f64x2.extract_lane(da23, 0));
      const a3 = f64x2.splat(f64x2.extract_lane(da23, 1));
      const a4 = f64x2.splat(f64x2.extract_lane(d45, 0) * inv);
      f0 = f64x2.add(f0, f64x2.mul(a0, d01));
      f1 = f64x2.add(f1, f64x2.mul(a1, d01));
      f20 = f64x2.add(f20, f64x2.mul(a2, d01));
      f21 = f64x2.add(f21, f64x2.mul(a2, d23));
      f30 = f64x2.add(f30, f64x2.mul(a3, d01));
      f31 = f64x2.add(f31, f64x2.mul(a3, d23));
      f40 = f64x2.add(f40, f64x2.mul(a4, d01));
      f41 = f64x2.add(f41, f64x2.mul(a4, d23));
      f42 = f64x2.add(f42, f64x2.mul(a4, d45));
    }
  }
  unchecked(gradient[0] = f64x2.extract_lane(g01, 0));
  unchecked(gradient[1] = f64x2.extract_lane(g01, 1));
  unchecked(gradient[2] = f64x2.extract_lane(g23, 0));
  unchecked(gradient[3] = f64x2.extract_lane(g23, 1));
  unchecked(gradient[4] = f64x2.extract_lane(g4, 0));
  // (a, e) and (e, a) of each entry of the lower triangle.
  const v00 = f64x2.extract_lane(f0, 0);
  const v10 = f64x2.extract_lane(f1, 0), v11 = f64x2.extract_lane(f1, 1);
  const v20 = f64x2.extract_lane(f20, 0), v21 = f64x2.extract_lane(f20, 1), v22 = f64x2.extract_lane(f21, 0);
  const v30 = f64x2.extract_lane(f30, 0), v31 = f64x2.extract_lane(f30, 1), v32 = f64x2.extract_lane(f31, 0), v33 = f64x2.extract_lane(f31, 1);
  const v40 = f64x2.extract_lane(f40, 0), v41 = f64x2.extract_lane(f40, 1), v42 = f64x2.extract_lane(f41, 0), v43 = f64x2.extract_lane(f41, 1), v44 = f64x2.extract_lane(f42, 0);
  unchecked(fisher[0] = v00); unchecked(fisher[1] = v10); unchecked(fisher[2] = v20); unchecked(fisher[3] = v30); unchecked(fisher[4] = v40);
  unchecked(fisher[5] = v10); unchecked(fisher[6] = v11); unchecked(fisher[7] = v21); unchecked(fisher[8] = v31); unchecked(fisher[9] = v41);
  unchecked(fisher[10] = v20); unchecked(fisher[11] = v21); unchecked(fisher[12] = v22); unchecked(fisher[13] = v32); unchecked(fisher[14] = v42);
  unchecked(fisher[15] = v30); unchecked(fisher[16] = v31); unchecked(fisher[17] = v32); unchecked(fisher[18] = v33); unchecked(fisher[19] = v43);
  unchecked(fisher[20] = v40); unchecked(fisher[21] = v41); unchecked(fisher[22] = v42); unchecked(fisher[23] = v43); unchecked(fisher[24] = v44);
}
