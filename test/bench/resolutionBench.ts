/**
 * Time of NeNA and FRC on 10⁶ localizations (issue 29's target: FRC of 10⁶ in ≤ 10 s):
 * `node --import tsx test/bench/resolutionBench.ts [ROWS]` simulates blinking molecules (σ =
 * 10 nm, 40 × 40 µm, 2 000 frames, fixed seed) until ROWS localizations (default 10⁶), then
 * runs NeNA and FRC (their defaults: 5 random splits, the pixel from NeNA, a 2048-px transform)
 * and prints the wall and CPU seconds of each. The development machine is shared: CPU seconds
 * are the figure that does not move with its load.
 */
import { estimateFrc, frcPixelNm } from '../../src/post/estimateFrc.js';
import { estimateNena } from '../../src/post/estimateNena.js';
import { blinkingTable, uniformSites } from '../post/blinkingTable.js';

const rows = Number(process.argv[2] ?? 1e6);
// ~3 localizations a molecule (a mean of 3 frames on): a few more molecules, the table cut at ROWS.
let table = blinkingTable({ seed: 1, sites: uniformSites(2, Math.ceil(rows / 2.9), 40000), sigmaNm: 10, frames: 2000, meanOnFrames: 3 });
table = { ...table, columns: table.columns.map((c) => c.subarray(0, Math.min(rows, table.rows))), rows: Math.min(rows, table.rows) };

function timed<T>(work: () => T): [T, number, number] {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const result = work();
  const used = process.cpuUsage(cpu);
  return [result, (performance.now() - t0) / 1000, (used.user + used.system) / 1e6];
}

const [nena, nenaWall, nenaCpu] = timed(() => estimateNena(table));
const [frc, frcWall, frcCpu] = timed(() => estimateFrc(table, { pixelNm: frcPixelNm(nena.nenaNm) }));
console.log(`${table.rows} localizations (σ 10 nm)`);
console.log(`  NeNA ${nena.nenaNm.toFixed(2)} ± ${nena.nenaStandardErrorNm.toFixed(2)} nm: ${nenaWall.toFixed(2)} s wall, ${nenaCpu.toFixed(2)} s CPU`);
console.log(`  FRC  ${frc.resolutionNm.toFixed(1)} ± ${frc.resolutionSdNm.toFixed(1)} nm (${frc.options.splits} splits, pixel ${frc.options.pixelNm.toFixed(2)} nm, ${frc.imagePx} px${frc.folded ? ', folded' : ''}): ${frcWall.toFixed(2)} s wall, ${frcCpu.toFixed(2)} s CPU`);
