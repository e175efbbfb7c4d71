// ../MultiEmitterFit.ts in the fit kernel: K emitters of one fixed σ on one background in a
// window of MW px, the same arithmetic in the same order as the JavaScript (evaluate,
// derivatives, fit, bound, residualStd, residualPeak). θ = (x₁, y₁, N₁, …, x_K, y_K, N_K, b) in
// MTH. An instance of MultiEmitterModel.ts (K copies of GaussianEmitter, one background) run by
// FisherScoring.ts's loop; GaussianEmitter keeps its measured whole-window passes for K = 1
// to 4 (every sum in a local), the generic pass serves K ≥ 5.
import {
  MAX_EMITTERS, MAX_MULTI_PARAMETERS, MAX_WINDOW, MIN_RESIDUAL_VARIANCE, STATUS_CONVERGED,
} from '../fitConstants';
import { axisAt } from './GaussianAxis';
import { MultiEmitterModel } from './MultiEmitterModel';
import { outsideWindow, proposePhotons } from './proposeLateral';

const MP = MAX_MULTI_PARAMETERS;
/** The window's width, px (multiWindow). */
export let MW: i32 = 9;
// Each emitter's axis terms at e·MAX_WINDOW: x in MXV/MXD, y in MYV/MYD.
const MXV = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MXD = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MYV = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MYD = new StaticArray<f64>(MAX_EMITTERS * MAX_WINDOW);
const MD2 = new StaticArray<f64>(MAX_WINDOW);
/** θ: the start of a fit, θ̂ after it. */
export const MTH = new StaticArray<f64>(MP);
/** √CRLB of θ̂ after multiBound. */
export const MCR = new StaticArray<f64>(MP);
/** ℓ and iterations of the last multiFit. */
export let MLL: f64 = NaN;
export let MITER: i32 = 0;
/** The residual's 3×3 maximum after multiResidualPeak: column, row, excess (photons), significance. */
export let PEAK_COLUMN: i32 = 0;
export let PEAK_ROW: i32 = 0;
export let PEAK_EXCESS: f64 = 0;
export let PEAK_SIGNIFICANCE: f64 = 0;

/** The derivatives for K = 1 (p = 4), every sum in a local: the same products, added in the same order as the generic pass. */
function multiDerivatives1(theta: StaticArray<f64>, data: usize, w: i32, mu: StaticArray<f64>, shifted: bool, delta: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
  const n0 = unchecked(theta[2]);
  let g0: f64 = 0; let g1: f64 = 0; let g2: f64 = 0; let g3: f64 = 0;
  let f0_0: f64 = 0; let f1_0: f64 = 0; let f1_1: f64 = 0; let f2_0: f64 = 0; let f2_1: f64 = 0; let f2_2: f64 = 0; let f3_0: f64 = 0; let f3_1: f64 = 0;
  let f3_2: f64 = 0; let f3_3: f64 = 0;
  for (let r = 0; r < w; r++) {
    const yv0 = unchecked(MYV[0 * MAX_WINDOW + r]);
    const yd0 = unchecked(MYD[0 * MAX_WINDOW + r]);
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const xv0 = unchecked(MXV[0 * MAX_WINDOW + c]);
      const d0 = n0 * unchecked(MXD[0 * MAX_WINDOW + c]) * yv0;
      const d1 = n0 * xv0 * yd0;
      const d2 = xv0 * yv0;
      const d3: f64 = 1;
      const at = data + (<usize>i << 3);
      const s: f64 = shifted ? load<f64>(at + delta) : 0;
      const inv = 1 / (unchecked(mu[i]) + s);
      const wt = (load<f64>(at) + s) * inv - 1;
      g0 += wt * d0;
      const a0 = d0 * inv;
      f0_0 += a0 * d0;
      g1 += wt * d1;
      const a1 = d1 * inv;
      f1_0 += a1 * d0; f1_1 += a1 * d1;
      g2 += wt * d2;
      const a2 = d2 * inv;
      f2_0 += a2 * d0; f2_1 += a2 * d1; f2_2 += a2 * d2;
      g3 += wt * d3;
      const a3 = d3 * inv;
      f3_0 += a3 * d0; f3_1 += a3 * d1; f3_2 += a3 * d2; f3_3 += a3 * d3;
    }
  }
  unchecked(gradient[0] = g0);
  unchecked(gradient[1] = g1);
  unchecked(gradient[2] = g2);
  unchecked(gradient[3] = g3);
  unchecked(fisher[0] = f0_0);
  unchecked(fisher[4] = f1_0); unchecked(fisher[1] = f1_0); unchecked(fisher[5] = f1_1);
  unchecked(fisher[8] = f2_0); unchecked(fisher[2] = f2_0); unchecked(fisher[9] = f2_1); unchecked(fisher[6] = f2_1); unchecked(fisher[10] = f2_2);
  unchecked(fisher[12] = f3_0); unchecked(fisher[3] = f3_0); unchecked(fisher[13] = f3_1); unchecked(fisher[7] = f3_1); unchecked(fisher[14] = f3_2); unchecked(fisher[11] = f3_2); unchecked(fisher[15] = f3_3);
}

/** The derivatives for K = 2 (p = 7), every sum in a local: the same products, added in the same order as the generic pass. */
function multiDerivatives2(theta: StaticArray<f64>, data: usize, w: i32, mu: StaticArray<f64>, shifted: bool, delta: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
  const n0 = unchecked(theta[2]);
  const n1 = unchecked(theta[5]);
  let g0: f64 = 0; let g1: f64 = 0; let g2: f64 = 0; let g3: f64 = 0; let g4: f64 = 0; let g5: f64 = 0; let g6: f64 = 0;
  let f0_0: f64 = 0; let f1_0: f64 = 0; let f1_1: f64 = 0; let f2_0: f64 = 0; let f2_1: f64 = 0; let f2_2: f64 = 0; let f3_0: f64 = 0; let f3_1: f64 = 0;
  let f3_2: f64 = 0; let f3_3: f64 = 0; let f4_0: f64 = 0; let f4_1: f64 = 0; let f4_2: f64 = 0; let f4_3: f64 = 0; let f4_4: f64 = 0; let f5_0: f64 = 0;
  let f5_1: f64 = 0; let f5_2: f64 = 0; let f5_3: f64 = 0; let f5_4: f64 = 0; let f5_5: f64 = 0; let f6_0: f64 = 0; let f6_1: f64 = 0; let f6_2: f64 = 0;
  let f6_3: f64 = 0; let f6_4: f64 = 0; let f6_5: f64 = 0; let f6_6: f64 = 0;
  for (let r = 0; r < w; r++) {
    const yv0 = unchecked(MYV[0 * MAX_WINDOW + r]);
    const yd0 = unchecked(MYD[0 * MAX_WINDOW + r]);
    const yv1 = unchecked(MYV[1 * MAX_WINDOW + r]);
    const yd1 = unchecked(MYD[1 * MAX_WINDOW + r]);
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const xv0 = unchecked(MXV[0 * MAX_WINDOW + c]);
      const d0 = n0 * unchecked(MXD[0 * MAX_WINDOW + c]) * yv0;
      const d1 = n0 * xv0 * yd0;
      const d2 = xv0 * yv0;
      const xv1 = unchecked(MXV[1 * MAX_WINDOW + c]);
      const d3 = n1 * unchecked(MXD[1 * MAX_WINDOW + c]) * yv1;
      const d4 = n1 * xv1 * yd1;
      const d5 = xv1 * yv1;
      const d6: f64 = 1;
      const at = data + (<usize>i << 3);
      const s: f64 = shifted ? load<f64>(at + delta) : 0;
      const inv = 1 / (unchecked(mu[i]) + s);
      const wt = (load<f64>(at) + s) * inv - 1;
      g0 += wt * d0;
      const a0 = d0 * inv;
      f0_0 += a0 * d0;
      g1 += wt * d1;
      const a1 = d1 * inv;
      f1_0 += a1 * d0; f1_1 += a1 * d1;
      g2 += wt * d2;
      const a2 = d2 * inv;
      f2_0 += a2 * d0; f2_1 += a2 * d1; f2_2 += a2 * d2;
      g3 += wt * d3;
      const a3 = d3 * inv;
      f3_0 += a3 * d0; f3_1 += a3 * d1; f3_2 += a3 * d2; f3_3 += a3 * d3;
      g4 += wt * d4;
      const a4 = d4 * inv;
      f4_0 += a4 * d0; f4_1 += a4 * d1; f4_2 += a4 * d2; f4_3 += a4 * d3; f4_4 += a4 * d4;
      g5 += wt * d5;
      const a5 = d5 * inv;
      f5_0 += a5 * d0; f5_1 += a5 * d1; f5_2 += a5 * d2; f5_3 += a5 * d3; f5_4 += a5 * d4; f5_5 += a5 * d5;
      g6 += wt * d6;
      const a6 = d6 * inv;
      f6_0 += a6 * d0; f6_1 += a6 * d1; f6_2 += a6 * d2; f6_3 += a6 * d3; f6_4 += a6 * d4; f6_5 += a6 * d5; f6_6 += a6 * d6;
    }
  }
  unchecked(gradient[0] = g0);
  unchecked(gradient[1] = g1);
  unchecked(gradient[2] = g2);
  unchecked(gradient[3] = g3);
  unchecked(gradient[4] = g4);
  unchecked(gradient[5] = g5);
  unchecked(gradient[6] = g6);
  unchecked(fisher[0] = f0_0);
  unchecked(fisher[7] = f1_0); unchecked(fisher[1] = f1_0); unchecked(fisher[8] = f1_1);
  unchecked(fisher[14] = f2_0); unchecked(fisher[2] = f2_0); unchecked(fisher[15] = f2_1); unchecked(fisher[9] = f2_1); unchecked(fisher[16] = f2_2);
  unchecked(fisher[21] = f3_0); unchecked(fisher[3] = f3_0); unchecked(fisher[22] = f3_1); unchecked(fisher[10] = f3_1); unchecked(fisher[23] = f3_2); unchecked(fisher[17] = f3_2); unchecked(fisher[24] = f3_3);
  unchecked(fisher[28] = f4_0); unchecked(fisher[4] = f4_0); unchecked(fisher[29] = f4_1); unchecked(fisher[11] = f4_1); unchecked(fisher[30] = f4_2); unchecked(fisher[18] = f4_2); unchecked(fisher[31] = f4_3); unchecked(fisher[25] = f4_3); unchecked(fisher[32] = f4_4);
  unchecked(fisher[35] = f5_0); unchecked(fisher[5] = f5_0); unchecked(fisher[36] = f5_1); unchecked(fisher[12] = f5_1); unchecked(fisher[37] = f5_2); unchecked(fisher[19] = f5_2); unchecked(fisher[38] = f5_3); unchecked(fisher[26] = f5_3); unchecked(fisher[39] = f5_4); unchecked(fisher[33] = f5_4); unchecked(fisher[40] = f5_5);
  unchecked(fisher[42] = f6_0); unchecked(fisher[6] = f6_0); unchecked(fisher[43] = f6_1); unchecked(fisher[13] = f6_1); unchecked(fisher[44] = f6_2); unchecked(fisher[20] = f6_2); unchecked(fisher[45] = f6_3); unchecked(fisher[27] = f6_3); unchecked(fisher[46] = f6_4); unchecked(fisher[34] = f6_4); unchecked(fisher[47] = f6_5); unchecked(fisher[41] = f6_5); unchecked(fisher[48] = f6_6);
}

/** The derivatives for K = 3 (p = 10), every sum in a local: the same products, added in the same order as the generic pass. */
function multiDerivatives3(theta: StaticArray<f64>, data: usize, w: i32, mu: StaticArray<f64>, shifted: bool, delta: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
  const n0 = unchecked(theta[2]);
  const n1 = unchecked(theta[5]);
  const n2 = unchecked(theta[8]);
  let g0: f64 = 0; let g1: f64 = 0; let g2: f64 = 0; let g3: f64 = 0; let g4: f64 = 0; let g5: f64 = 0; let g6: f64 = 0; let g7: f64 = 0; let g8: f64 = 0; let g9: f64 = 0;
  let f0_0: f64 = 0; let f1_0: f64 = 0; let f1_1: f64 = 0; let f2_0: f64 = 0; let f2_1: f64 = 0; let f2_2: f64 = 0; let f3_0: f64 = 0; let f3_1: f64 = 0;
  let f3_2: f64 = 0; let f3_3: f64 = 0; let f4_0: f64 = 0; let f4_1: f64 = 0; let f4_2: f64 = 0; let f4_3: f64 = 0; let f4_4: f64 = 0; let f5_0: f64 = 0;
  let f5_1: f64 = 0; let f5_2: f64 = 0; let f5_3: f64 = 0; let f5_4: f64 = 0; let f5_5: f64 = 0; let f6_0: f64 = 0; let f6_1: f64 = 0; let f6_2: f64 = 0;
  let f6_3: f64 = 0; let f6_4: f64 = 0; let f6_5: f64 = 0; let f6_6: f64 = 0; let f7_0: f64 = 0; let f7_1: f64 = 0; let f7_2: f64 = 0; let f7_3: f64 = 0;
  let f7_4: f64 = 0; let f7_5: f64 = 0; let f7_6: f64 = 0; let f7_7: f64 = 0; let f8_0: f64 = 0; let f8_1: f64 = 0; let f8_2: f64 = 0; let f8_3: f64 = 0;
  let f8_4: f64 = 0; let f8_5: f64 = 0; let f8_6: f64 = 0; let f8_7: f64 = 0; let f8_8: f64 = 0; let f9_0: f64 = 0; let f9_1: f64 = 0; let f9_2: f64 = 0;
  let f9_3: f64 = 0; let f9_4: f64 = 0; let f9_5: f64 = 0; let f9_6: f64 = 0; let f9_7: f64 = 0; let f9_8: f64 = 0; let f9_9: f64 = 0;
  for (let r = 0; r < w; r++) {
    const yv0 = unchecked(MYV[0 * MAX_WINDOW + r]);
    const yd0 = unchecked(MYD[0 * MAX_WINDOW + r]);
    const yv1 = unchecked(MYV[1 * MAX_WINDOW + r]);
    const yd1 = unchecked(MYD[1 * MAX_WINDOW + r]);
    const yv2 = unchecked(MYV[2 * MAX_WINDOW + r]);
    const yd2 = unchecked(MYD[2 * MAX_WINDOW + r]);
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const xv0 = unchecked(MXV[0 * MAX_WINDOW + c]);
      const d0 = n0 * unchecked(MXD[0 * MAX_WINDOW + c]) * yv0;
      const d1 = n0 * xv0 * yd0;
      const d2 = xv0 * yv0;
      const xv1 = unchecked(MXV[1 * MAX_WINDOW + c]);
      const d3 = n1 * unchecked(MXD[1 * MAX_WINDOW + c]) * yv1;
      const d4 = n1 * xv1 * yd1;
      const d5 = xv1 * yv1;
      const xv2 = unchecked(MXV[2 * MAX_WINDOW + c]);
      const d6 = n2 * unchecked(MXD[2 * MAX_WINDOW + c]) * yv2;
      const d7 = n2 * xv2 * yd2;
      const d8 = xv2 * yv2;
      const d9: f64 = 1;
      const at = data + (<usize>i << 3);
      const s: f64 = shifted ? load<f64>(at + delta) : 0;
      const inv = 1 / (unchecked(mu[i]) + s);
      const wt = (load<f64>(at) + s) * inv - 1;
      g0 += wt * d0;
      const a0 = d0 * inv;
      f0_0 += a0 * d0;
      g1 += wt * d1;
      const a1 = d1 * inv;
      f1_0 += a1 * d0; f1_1 += a1 * d1;
      g2 += wt * d2;
      const a2 = d2 * inv;
      f2_0 += a2 * d0; f2_1 += a2 * d1; f2_2 += a2 * d2;
      g3 += wt * d3;
      const a3 = d3 * inv;
      f3_0 += a3 * d0; f3_1 += a3 * d1; f3_2 += a3 * d2; f3_3 += a3 * d3;
      g4 += wt * d4;
      const a4 = d4 * inv;
      f4_0 += a4 * d0; f4_1 += a4 * d1; f4_2 += a4 * d2; f4_3 += a4 * d3; f4_4 += a4 * d4;
      g5 += wt * d5;
      const a5 = d5 * inv;
      f5_0 += a5 * d0; f5_1 += a5 * d1; f5_2 += a5 * d2; f5_3 += a5 * d3; f5_4 += a5 * d4; f5_5 += a5 * d5;
      g6 += wt * d6;
      const a6 = d6 * inv;
      f6_0 += a6 * d0; f6_1 += a6 * d1; f6_2 += a6 * d2; f6_3 += a6 * d3; f6_4 += a6 * d4; f6_5 += a6 * d5; f6_6 += a6 * d6;
      g7 += wt * d7;
      const a7 = d7 * inv;
      f7_0 += a7 * d0; f7_1 += a7 * d1; f7_2 += a7 * d2; f7_3 += a7 * d3; f7_4 += a7 * d4; f7_5 += a7 * d5; f7_6 += a7 * d6; f7_7 += a7 * d7;
      g8 += wt * d8;
      const a8 = d8 * inv;
      f8_0 += a8 * d0; f8_1 += a8 * d1; f8_2 += a8 * d2; f8_3 += a8 * d3; f8_4 += a8 * d4; f8_5 += a8 * d5; f8_6 += a8 * d6; f8_7 += a8 * d7; f8_8 += a8 * d8;
      g9 += wt * d9;
      const a9 = d9 * inv;
      f9_0 += a9 * d0; f9_1 += a9 * d1; f9_2 += a9 * d2; f9_3 += a9 * d3; f9_4 += a9 * d4; f9_5 += a9 * d5; f9_6 += a9 * d6; f9_7 += a9 * d7; f9_8 += a9 * d8; f9_9 += a9 * d9;
    }
  }
  unchecked(gradient[0] = g0);
  unchecked(gradient[1] = g1);
  unchecked(gradient[2] = g2);
  unchecked(gradient[3] = g3);
  unchecked(gradient[4] = g4);
  unchecked(gradient[5] = g5);
  unchecked(gradient[6] = g6);
  unchecked(gradient[7] = g7);
  unchecked(gradient[8] = g8);
  unchecked(gradient[9] = g9);
  unchecked(fisher[0] = f0_0);
  unchecked(fisher[10] = f1_0); unchecked(fisher[1] = f1_0); unchecked(fisher[11] = f1_1);
  unchecked(fisher[20] = f2_0); unchecked(fisher[2] = f2_0); unchecked(fisher[21] = f2_1); unchecked(fisher[12] = f2_1); unchecked(fisher[22] = f2_2);
  unchecked(fisher[30] = f3_0); unchecked(fisher[3] = f3_0); unchecked(fisher[31] = f3_1); unchecked(fisher[13] = f3_1); unchecked(fisher[32] = f3_2); unchecked(fisher[23] = f3_2); unchecked(fisher[33] = f3_3);
  unchecked(fisher[40] = f4_0); unchecked(fisher[4] = f4_0); unchecked(fisher[41] = f4_1); unchecked(fisher[14] = f4_1); unchecked(fisher[42] = f4_2); unchecked(fisher[24] = f4_2); unchecked(fisher[43] = f4_3); unchecked(fisher[34] = f4_3); unchecked(fisher[44] = f4_4);
  unchecked(fisher[50] = f5_0); unchecked(fisher[5] = f5_0); unchecked(fisher[51] = f5_1); unchecked(fisher[15] = f5_1); unchecked(fisher[52] = f5_2); unchecked(fisher[25] = f5_2); unchecked(fisher[53] = f5_3); unchecked(fisher[35] = f5_3); unchecked(fisher[54] = f5_4); unchecked(fisher[45] = f5_4); unchecked(fisher[55] = f5_5);
  unchecked(fisher[60] = f6_0); unchecked(fisher[6] = f6_0); unchecked(fisher[61] = f6_1); unchecked(fisher[16] = f6_1); unchecked(fisher[62] = f6_2); unchecked(fisher[26] = f6_2); unchecked(fisher[63] = f6_3); unchecked(fisher[36] = f6_3); unchecked(fisher[64] = f6_4); unchecked(fisher[46] = f6_4); unchecked(fisher[65] = f6_5); unchecked(fisher[56] = f6_5); unchecked(fisher[66] = f6_6);
  unchecked(fisher[70] = f7_0); unchecked(fisher[7] = f7_0); unchecked(fisher[71] = f7_1); unchecked(fisher[17] = f7_1); unchecked(fisher[72] = f7_2); unchecked(fisher[27] = f7_2); unchecked(fisher[73] = f7_3); unchecked(fisher[37] = f7_3); unchecked(fisher[74] = f7_4); unchecked(fisher[47] = f7_4); unchecked(fisher[75] = f7_5); unchecked(fisher[57] = f7_5); unchecked(fisher[76] = f7_6); unchecked(fisher[67] = f7_6); unchecked(fisher[77] = f7_7);
  unchecked(fisher[80] = f8_0); unchecked(fisher[8] = f8_0); unchecked(fisher[81] = f8_1); unchecked(fisher[18] = f8_1); unchecked(fisher[82] = f8_2); unchecked(fisher[28] = f8_2); unchecked(fisher[83] = f8_3); unchecked(fisher[38] = f8_3); unchecked(fisher[84] = f8_4); unchecked(fisher[48] = f8_4); unchecked(fisher[85] = f8_5); unchecked(fisher[58] = f8_5); unchecked(fisher[86] = f8_6); unchecked(fisher[68] = f8_6); unchecked(fisher[87] = f8_7); unchecked(fisher[78] = f8_7); unchecked(fisher[88] = f8_8);
  unchecked(fisher[90] = f9_0); unchecked(fisher[9] = f9_0); unchecked(fisher[91] = f9_1); unchecked(fisher[19] = f9_1); unchecked(fisher[92] = f9_2); unchecked(fisher[29] = f9_2); unchecked(fisher[93] = f9_3); unchecked(fisher[39] = f9_3); unchecked(fisher[94] = f9_4); unchecked(fisher[49] = f9_4); unchecked(fisher[95] = f9_5); unchecked(fisher[59] = f9_5); unchecked(fisher[96] = f9_6); unchecked(fisher[69] = f9_6); unchecked(fisher[97] = f9_7); unchecked(fisher[79] = f9_7); unchecked(fisher[98] = f9_8); unchecked(fisher[89] = f9_8); unchecked(fisher[99] = f9_9);
}

/** The derivatives for K = 4 (p = 13), every sum in a local: the same products, added in the same order as the generic pass. */
function multiDerivatives4(theta: StaticArray<f64>, data: usize, w: i32, mu: StaticArray<f64>, shifted: bool, delta: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): void {
  const n0 = unchecked(theta[2]);
  const n1 = unchecked(theta[5]);
  const n2 = unchecked(theta[8]);
  const n3 = unchecked(theta[11]);
  let g0: f64 = 0; let g1: f64 = 0; let g2: f64 = 0; let g3: f64 = 0; let g4: f64 = 0; let g5: f64 = 0; let g6: f64 = 0; let g7: f64 = 0; let g8: f64 = 0; let g9: f64 = 0; let g10: f64 = 0; let g11: f64 = 0; let g12: f64 = 0;
  let f0_0: f64 = 0; let f1_0: f64 = 0; let f1_1: f64 = 0; let f2_0: f64 = 0; let f2_1: f64 = 0; let f2_2: f64 = 0; let f3_0: f64 = 0; let f3_1: f64 = 0;
  let f3_2: f64 = 0; let f3_3: f64 = 0; let f4_0: f64 = 0; let f4_1: f64 = 0; let f4_2: f64 = 0; let f4_3: f64 = 0; let f4_4: f64 = 0; let f5_0: f64 = 0;
  let f5_1: f64 = 0; let f5_2: f64 = 0; let f5_3: f64 = 0; let f5_4: f64 = 0; let f5_5: f64 = 0; let f6_0: f64 = 0; let f6_1: f64 = 0; let f6_2: f64 = 0;
  let f6_3: f64 = 0; let f6_4: f64 = 0; let f6_5: f64 = 0; let f6_6: f64 = 0; let f7_0: f64 = 0; let f7_1: f64 = 0; let f7_2: f64 = 0; let f7_3: f64 = 0;
  let f7_4: f64 = 0; let f7_5: f64 = 0; let f7_6: f64 = 0; let f7_7: f64 = 0; let f8_0: f64 = 0; let f8_1: f64 = 0; let f8_2: f64 = 0; let f8_3: f64 = 0;
  let f8_4: f64 = 0; let f8_5: f64 = 0; let f8_6: f64 = 0; let f8_7: f64 = 0; let f8_8: f64 = 0; let f9_0: f64 = 0; let f9_1: f64 = 0; let f9_2: f64 = 0;
  let f9_3: f64 = 0; let f9_4: f64 = 0; let f9_5: f64 = 0; let f9_6: f64 = 0; let f9_7: f64 = 0; let f9_8: f64 = 0; let f9_9: f64 = 0; let f10_0: f64 = 0;
  let f10_1: f64 = 0; let f10_2: f64 = 0; let f10_3: f64 = 0; let f10_4: f64 = 0; let f10_5: f64 = 0; let f10_6: f64 = 0; let f10_7: f64 = 0; let f10_8: f64 = 0;
  let f10_9: f64 = 0; let f10_10: f64 = 0; let f11_0: f64 = 0; let f11_1: f64 = 0; let f11_2: f64 = 0; let f11_3: f64 = 0; let f11_4: f64 = 0; let f11_5: f64 = 0;
  let f11_6: f64 = 0; let f11_7: f64 = 0; let f11_8: f64 = 0; let f11_9: f64 = 0; let f11_10: f64 = 0; let f11_11: f64 = 0; let f12_0: f64 = 0; let f12_1: f64 = 0;
  let f12_2: f64 = 0; let f12_3: f64 = 0; let f12_4: f64 = 0; let f12_5: f64 = 0; let f12_6: f64 = 0; let f12_7: f64 = 0; let f12_8: f64 = 0; let f12_9: f64 = 0;
  let f12_10: f64 = 0; let f12_11: f64 = 0; let f12_12: f64 = 0;
  for (let r = 0; r < w; r++) {
    const yv0 = unchecked(MYV[0 * MAX_WINDOW + r]);
    const yd0 = unchecked(MYD[0 * MAX_WINDOW + r]);
    const yv1 = unchecked(MYV[1 * MAX_WINDOW + r]);
    const yd1 = unchecked(MYD[1 * MAX_WINDOW + r]);
    const yv2 = unchecked(MYV[2 * MAX_WINDOW + r]);
    const yd2 = unchecked(MYD[2 * MAX_WINDOW + r]);
    const yv3 = unchecked(MYV[3 * MAX_WINDOW + r]);
    const yd3 = unchecked(MYD[3 * MAX_WINDOW + r]);
    for (let c = 0; c < w; c++) {
      const i = r * w + c;
      const xv0 = unchecked(MXV[0 * MAX_WINDOW + c]);
      const d0 = n0 * unchecked(MXD[0 * MAX_WINDOW + c]) * yv0;
      const d1 = n0 * xv0 * yd0;
      const d2 = xv0 * yv0;
      const xv1 = unchecked(MXV[1 * MAX_WINDOW + c]);
      const d3 = n1 * unchecked(MXD[1 * MAX_WINDOW + c]) * yv1;
      const d4 = n1 * xv1 * yd1;
      const d5 = xv1 * yv1;
      const xv2 = unchecked(MXV[2 * MAX_WINDOW + c]);
      const d6 = n2 * unchecked(MXD[2 * MAX_WINDOW + c]) * yv2;
      const d7 = n2 * xv2 * yd2;
      const d8 = xv2 * yv2;
      const xv3 = unchecked(MXV[3 * MAX_WINDOW + c]);
      const d9 = n3 * unchecked(MXD[3 * MAX_WINDOW + c]) * yv3;
      const d10 = n3 * xv3 * yd3;
      const d11 = xv3 * yv3;
      const d12: f64 = 1;
      const at = data + (<usize>i << 3);
      const s: f64 = shifted ? load<f64>(at + delta) : 0;
      const inv = 1 / (unchecked(mu[i]) + s);
      const wt = (load<f64>(at) + s) * inv - 1;
      g0 += wt * d0;
      const a0 = d0 * inv;
      f0_0 += a0 * d0;
      g1 += wt * d1;
      const a1 = d1 * inv;
      f1_0 += a1 * d0; f1_1 += a1 * d1;
      g2 += wt * d2;
      const a2 = d2 * inv;
      f2_0 += a2 * d0; f2_1 += a2 * d1; f2_2 += a2 * d2;
      g3 += wt * d3;
      const a3 = d3 * inv;
      f3_0 += a3 * d0; f3_1 += a3 * d1; f3_2 += a3 * d2; f3_3 += a3 * d3;
      g4 += wt * d4;
      const a4 = d4 * inv;
      f4_0 += a4 * d0; f4_1 += a4 * d1; f4_2 += a4 * d2; f4_3 += a4 * d3; f4_4 += a4 * d4;
      g5 += wt * d5;
      const a5 = d5 * inv;
      f5_0 += a5 * d0; f5_1 += a5 * d1; f5_2 += a5 * d2; f5_3 += a5 * d3; f5_4 += a5 * d4; f5_5 += a5 * d5;
      g6 += wt * d6;
      const a6 = d6 * inv;
      f6_0 += a6 * d0; f6_1 += a6 * d1; f6_2 += a6 * d2; f6_3 += a6 * d3; f6_4 += a6 * d4; f6_5 += a6 * d5; f6_6 += a6 * d6;
      g7 += wt * d7;
      const a7 = d7 * inv;
      f7_0 += a7 * d0; f7_1 += a7 * d1; f7_2 += a7 * d2; f7_3 += a7 * d3; f7_4 += a7 * d4; f7_5 += a7 * d5; f7_6 += a7 * d6; f7_7 += a7 * d7;
      g8 += wt * d8;
      const a8 = d8 * inv;
      f8_0 += a8 * d0; f8_1 += a8 * d1; f8_2 += a8 * d2; f8_3 += a8 * d3; f8_4 += a8 * d4; f8_5 += a8 * d5; f8_6 += a8 * d6; f8_7 += a8 * d7; f8_8 += a8 * d8;
      g9 += wt * d9;
      const a9 = d9 * inv;
      f9_0 += a9 * d0; f9_1 += a9 * d1; f9_2 += a9 * d2; f9_3 += a9 * d3; f9_4 += a9 * d4; f9_5 += a9 * d5; f9_6 += a9 * d6; f9_7 += a9 * d7; f9_8 += a9 * d8; f9_9 += a9 * d9;
      g10 += wt * d10;
      const a10 = d10 * inv;
      f10_0 += a10 * d0; f10_1 += a10 * d1; f10_2 += a10 * d2; f10_3 += a10 * d3; f10_4 += a10 * d4; f10_5 += a10 * d5; f10_6 += a10 * d6; f10_7 += a10 * d7; f10_8 += a10 * d8; f10_9 += a10 * d9; f10_10 += a10 * d10;
      g11 += wt * d11;
      const a11 = d11 * inv;
      f11_0 += a11 * d0; f11_1 += a11 * d1; f11_2 += a11 * d2; f11_3 += a11 * d3; f11_4 += a11 * d4; f11_5 += a11 * d5; f11_6 += a11 * d6; f11_7 += a11 * d7; f11_8 += a11 * d8; f11_9 += a11 * d9; f11_10 += a11 * d10; f11_11 += a11 * d11;
      g12 += wt * d12;
      const a12 = d12 * inv;
      f12_0 += a12 * d0; f12_1 += a12 * d1; f12_2 += a12 * d2; f12_3 += a12 * d3; f12_4 += a12 * d4; f12_5 += a12 * d5; f12_6 += a12 * d6; f12_7 += a12 * d7; f12_8 += a12 * d8; f12_9 += a12 * d9; f12_10 += a12 * d10; f12_11 += a12 * d11; f12_12 += a12 * d12;
    }
  }
  unchecked(gradient[0] = g0);
  unchecked(gradient[1] = g1);
  unchecked(gradient[2] = g2);
  unchecked(gradient[3] = g3);
  unchecked(gradient[4] = g4);
  unchecked(gradient[5] = g5);
  unchecked(gradient[6] = g6);
  unchecked(gradient[7] = g7);
  unchecked(gradient[8] = g8);
  unchecked(gradient[9] = g9);
  unchecked(gradient[10] = g10);
  unchecked(gradient[11] = g11);
  unchecked(gradient[12] = g12);
  unchecked(fisher[0] = f0_0);
  unchecked(fisher[13] = f1_0); unchecked(fisher[1] = f1_0); unchecked(fisher[14] = f1_1);
  unchecked(fisher[26] = f2_0); unchecked(fisher[2] = f2_0); unchecked(fisher[27] = f2_1); unchecked(fisher[15] = f2_1); unchecked(fisher[28] = f2_2);
  unchecked(fisher[39] = f3_0); unchecked(fisher[3] = f3_0); unchecked(fisher[40] = f3_1); unchecked(fisher[16] = f3_1); unchecked(fisher[41] = f3_2); unchecked(fisher[29] = f3_2); unchecked(fisher[42] = f3_3);
  unchecked(fisher[52] = f4_0); unchecked(fisher[4] = f4_0); unchecked(fisher[53] = f4_1); unchecked(fisher[17] = f4_1); unchecked(fisher[54] = f4_2); unchecked(fisher[30] = f4_2); unchecked(fisher[55] = f4_3); unchecked(fisher[43] = f4_3); unchecked(fisher[56] = f4_4);
  unchecked(fisher[65] = f5_0); unchecked(fisher[5] = f5_0); unchecked(fisher[66] = f5_1); unchecked(fisher[18] = f5_1); unchecked(fisher[67] = f5_2); unchecked(fisher[31] = f5_2); unchecked(fisher[68] = f5_3); unchecked(fisher[44] = f5_3); unchecked(fisher[69] = f5_4); unchecked(fisher[57] = f5_4); unchecked(fisher[70] = f5_5);
  unchecked(fisher[78] = f6_0); unchecked(fisher[6] = f6_0); unchecked(fisher[79] = f6_1); unchecked(fisher[19] = f6_1); unchecked(fisher[80] = f6_2); unchecked(fisher[32] = f6_2); unchecked(fisher[81] = f6_3); unchecked(fisher[45] = f6_3); unchecked(fisher[82] = f6_4); unchecked(fisher[58] = f6_4); unchecked(fisher[83] = f6_5); unchecked(fisher[71] = f6_5); unchecked(fisher[84] = f6_6);
  unchecked(fisher[91] = f7_0); unchecked(fisher[7] = f7_0); unchecked(fisher[92] = f7_1); unchecked(fisher[20] = f7_1); unchecked(fisher[93] = f7_2); unchecked(fisher[33] = f7_2); unchecked(fisher[94] = f7_3); unchecked(fisher[46] = f7_3); unchecked(fisher[95] = f7_4); unchecked(fisher[59] = f7_4); unchecked(fisher[96] = f7_5); unchecked(fisher[72] = f7_5); unchecked(fisher[97] = f7_6); unchecked(fisher[85] = f7_6); unchecked(fisher[98] = f7_7);
  unchecked(fisher[104] = f8_0); unchecked(fisher[8] = f8_0); unchecked(fisher[105] = f8_1); unchecked(fisher[21] = f8_1); unchecked(fisher[106] = f8_2); unchecked(fisher[34] = f8_2); unchecked(fisher[107] = f8_3); unchecked(fisher[47] = f8_3); unchecked(fisher[108] = f8_4); unchecked(fisher[60] = f8_4); unchecked(fisher[109] = f8_5); unchecked(fisher[73] = f8_5); unchecked(fisher[110] = f8_6); unchecked(fisher[86] = f8_6); unchecked(fisher[111] = f8_7); unchecked(fisher[99] = f8_7); unchecked(fisher[112] = f8_8);
  unchecked(fisher[117] = f9_0); unchecked(fisher[9] = f9_0); unchecked(fisher[118] = f9_1); unchecked(fisher[22] = f9_1); unchecked(fisher[119] = f9_2); unchecked(fisher[35] = f9_2); unchecked(fisher[120] = f9_3); unchecked(fisher[48] = f9_3); unchecked(fisher[121] = f9_4); unchecked(fisher[61] = f9_4); unchecked(fisher[122] = f9_5); unchecked(fisher[74] = f9_5); unchecked(fisher[123] = f9_6); unchecked(fisher[87] = f9_6); unchecked(fisher[124] = f9_7); unchecked(fisher[100] = f9_7); unchecked(fisher[125] = f9_8); unchecked(fisher[113] = f9_8); unchecked(fisher[126] = f9_9);
  unchecked(fisher[130] = f10_0); unchecked(fisher[10] = f10_0); unchecked(fisher[131] = f10_1); unchecked(fisher[23] = f10_1); unchecked(fisher[132] = f10_2); unchecked(fisher[36] = f10_2); unchecked(fisher[133] = f10_3); unchecked(fisher[49] = f10_3); unchecked(fisher[134] = f10_4); unchecked(fisher[62] = f10_4); unchecked(fisher[135] = f10_5); unchecked(fisher[75] = f10_5); unchecked(fisher[136] = f10_6); unchecked(fisher[88] = f10_6); unchecked(fisher[137] = f10_7); unchecked(fisher[101] = f10_7); unchecked(fisher[138] = f10_8); unchecked(fisher[114] = f10_8); unchecked(fisher[139] = f10_9); unchecked(fisher[127] = f10_9); unchecked(fisher[140] = f10_10);
  unchecked(fisher[143] = f11_0); unchecked(fisher[11] = f11_0); unchecked(fisher[144] = f11_1); unchecked(fisher[24] = f11_1); unchecked(fisher[145] = f11_2); unchecked(fisher[37] = f11_2); unchecked(fisher[146] = f11_3); unchecked(fisher[50] = f11_3); unchecked(fisher[147] = f11_4); unchecked(fisher[63] = f11_4); unchecked(fisher[148] = f11_5); unchecked(fisher[76] = f11_5); unchecked(fisher[149] = f11_6); unchecked(fisher[89] = f11_6); unchecked(fisher[150] = f11_7); unchecked(fisher[102] = f11_7); unchecked(fisher[151] = f11_8); unchecked(fisher[115] = f11_8); unchecked(fisher[152] = f11_9); unchecked(fisher[128] = f11_9); unchecked(fisher[153] = f11_10); unchecked(fisher[141] = f11_10); unchecked(fisher[154] = f11_11);
  unchecked(fisher[156] = f12_0); unchecked(fisher[12] = f12_0); unchecked(fisher[157] = f12_1); unchecked(fisher[25] = f12_1); unchecked(fisher[158] = f12_2); unchecked(fisher[38] = f12_2); unchecked(fisher[159] = f12_3); unchecked(fisher[51] = f12_3); unchecked(fisher[160] = f12_4); unchecked(fisher[64] = f12_4); unchecked(fisher[161] = f12_5); unchecked(fisher[77] = f12_5); unchecked(fisher[162] = f12_6); unchecked(fisher[90] = f12_6); unchecked(fisher[163] = f12_7); unchecked(fisher[103] = f12_7); unchecked(fisher[164] = f12_8); unchecked(fisher[116] = f12_8); unchecked(fisher[165] = f12_9); unchecked(fisher[129] = f12_9); unchecked(fisher[166] = f12_10); unchecked(fisher[142] = f12_10); unchecked(fisher[167] = f12_11); unchecked(fisher[155] = f12_11); unchecked(fisher[168] = f12_12);
}

/**
 * One 2-D Gaussian of fixed σ (px) as a copy of MultiEmitterModel.ts (AstigmaticModel.ts's
 * AstigmaticEmitter documents the members): θ_e = (x, y, N), μ += N·Ex(x; σ)·Ey(y; σ).
 */
class GaussianEmitter {
  readonly parameters: i32 = 3;
  sigma: f64 = 1;

  addSignal(e: i32, theta: StaticArray<f64>, at: i32, mu: StaticArray<f64>, window: i32): bool {
    const o = <usize>(e * MAX_WINDOW) << 3;
    const xv = changetype<usize>(MXV) + o, yv = changetype<usize>(MYV) + o;
    axisAt(unchecked(theta[at]), window, this.sigma, false, xv, changetype<usize>(MXD) + o, changetype<usize>(MD2), 0, 0, 0);
    axisAt(unchecked(theta[at + 1]), window, this.sigma, false, yv, changetype<usize>(MYD) + o, changetype<usize>(MD2), 0, 0, 0);
    const n = unchecked(theta[at + 2]);
    for (let r = 0; r < window; r++) {
      const ey = load<f64>(yv + (<usize>r << 3));
      for (let c = 0; c < window; c++) unchecked(mu[r * window + c] += n * load<f64>(xv + (<usize>c << 3)) * ey);
    }
    return true;
  }

  derivatives(e: i32, theta: StaticArray<f64>, at: i32, row: i32, column: i32, d: StaticArray<f64>, dAt: i32): void {
    const n = unchecked(theta[at + 2]);
    const xv = unchecked(MXV[e * MAX_WINDOW + column]);
    const yv = unchecked(MYV[e * MAX_WINDOW + row]);
    unchecked(d[dAt] = n * unchecked(MXD[e * MAX_WINDOW + column]) * yv);
    unchecked(d[dAt + 1] = n * xv * unchecked(MYD[e * MAX_WINDOW + row]));
    unchecked(d[dAt + 2] = xv * yv);
  }

  /** The measured passes for K = 1 to 4; false for the generic pass. */
  windowDerivatives(k: i32, theta: StaticArray<f64>, data: usize, window: i32, mu: StaticArray<f64>, shifted: bool, delta: usize, gradient: StaticArray<f64>, fisher: StaticArray<f64>): bool {
    if (k == 1) { multiDerivatives1(theta, data, window, mu, shifted, delta, gradient, fisher); return true; }
    if (k == 2) { multiDerivatives2(theta, data, window, mu, shifted, delta, gradient, fisher); return true; }
    if (k == 3) { multiDerivatives3(theta, data, window, mu, shifted, delta, gradient, fisher); return true; }
    if (k == 4) { multiDerivatives4(theta, data, window, mu, shifted, delta, gradient, fisher); return true; }
    return false;
  }

  /** x, y free, N shrinking by at most MAX_SHRINK of itself (it stays positive); max(|Δx|, |Δy|). */
  propose(theta: StaticArray<f64>, step: StaticArray<f64>, trial: StaticArray<f64>, at: i32): f64 {
    const x = unchecked(theta[at]), y = unchecked(theta[at + 1]);
    const tx = x + unchecked(step[at]);
    const ty = y + unchecked(step[at + 1]);
    unchecked(trial[at] = tx);
    unchecked(trial[at + 1] = ty);
    unchecked(trial[at + 2] = proposePhotons(unchecked(theta[at + 2]), unchecked(step[at + 2])));
    return Math.max(Math.abs(tx - x), Math.abs(ty - y));
  }

  leftWindow(theta: StaticArray<f64>, at: i32, window: i32): bool {
    return outsideWindow(unchecked(theta[at]), unchecked(theta[at + 1]), window);
  }
}

const MODEL = new MultiEmitterModel<GaussianEmitter>(new GaussianEmitter());

/** The window width, px (≤ MAX_WINDOW). */
export function multiWindow(window: i32): void {
  MW = window;
  MODEL.window = window;
}

/** The emitters' σ (px) and the window's shifts (`shift` 0: none, else laid out as `data`). */
export function multiPrepare(data: usize, shift: usize, sigma: f64): void {
  MODEL.emitter.sigma = sigma;
  MODEL.bind(data, shift);
}

/** MultiEmitterFit.fit: K emitters from the start in MTH; θ̂ in MTH, ℓ in MLL (unchanged on bad data), iterations in MITER. */
export function multiFit(data: usize, k: i32, maxIterations: i32, tolerance: f64): i32 {
  MODEL.k = k;
  MODEL.data = data;
  const status = MODEL.fit(MTH, maxIterations, tolerance);
  MITER = MODEL.iterations;
  MLL = MODEL.logLikelihood;
  return status;
}

/** MultiEmitterFit.refresh at θ = MTH: the model's μ (for the residual) is then that of MTH; returns ℓ(MTH). */
export function multiRefresh(data: usize, k: i32): f64 {
  MODEL.k = k;
  MODEL.data = data;
  return MODEL.evaluate(MTH);
}

/** MultiEmitterFit.bound: the √CRLB of θ̂ = MTH (K emitters) into MCR; false when the Fisher information is singular. */
export function multiBound(data: usize, k: i32): bool {
  MODEL.k = k;
  MODEL.data = data;
  return MODEL.bound(MTH, STATUS_CONVERGED, MCR) == STATUS_CONVERGED;
}

/** MultiEmitterFit.residualStd: the standard deviation of n − μ over the window (μ of the θ last evaluated). */
export function multiResidualStd(data: usize): f64 {
  MODEL.data = data;
  return MODEL.residualStd();
}

/** MultiEmitterFit.residualPeak: the 3×3 residual's maximum, into PEAK_*. */
export function multiResidualPeak(data: usize): void {
  const w = MW;
  const mu = MODEL.mu;
  let best: f64 = -Infinity;
  let bestVariance: f64 = 1;
  let column = w >> 1;
  let row = w >> 1;
  for (let r = 0; r < w; r++) {
    for (let c = 0; c < w; c++) {
      let s: f64 = 0, variance: f64 = 0;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= w) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if (cc < 0 || cc >= w) continue;
          const i = rr * w + cc;
          s += load<f64>(data + (<usize>i << 3)) - unchecked(mu[i]);
          variance += unchecked(mu[i]);
        }
      }
      if (s > best) { best = s; bestVariance = variance; column = c; row = r; }
    }
  }
  PEAK_COLUMN = column; PEAK_ROW = row; PEAK_EXCESS = best;
  PEAK_SIGNIFICANCE = best / Math.sqrt(Math.max(bestVariance, MIN_RESIDUAL_VARIANCE));
}
