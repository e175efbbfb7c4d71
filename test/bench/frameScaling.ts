/**
 * Cost per pixel by frame size (issue 28): CPU ms per 256²-equivalent of the camera conversion,
 * the detection and the fit stage of {@link FrameLocalizer} on the `bench:e2e` kind of frame
 * (uint16, same spot density per area: 0.061 /µm², N = 1500, b = 20) at each size, several
 * interleaved rounds (`npm run bench:frame-scaling [-- --size 256,1024,2048 --rounds 4]`). Each size
 * runs enough frames for ~16 Mpx per round; the stage times are the localizer's own
 * (performance.now around each stage), the total is process.cpuUsage over the round.
 */
import { FrameLocalizer } from '../../src/pipeline/FrameLocalizer.js';
import { resolveLocalizeOptions } from '../../src/pipeline/LocalizeOptions.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';

const SIM = { density: 0.061, photons: 1500, background: 20, seed: 5 } as const;
const PER_ROUND_PX = 16 * 1024 * 1024;
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
};
const sizes = arg('--size', '256,1024,2048').split(',').map(Number);
const rounds = Number(arg('--rounds', '4'));
const cases = sizes.map((size) => {
  const distinct = Math.max(2, Math.round((16 * 256 * 256) / (size * size)));
  const frames = [...simulateStack({ ...SIM, width: size, height: size, frames: distinct })].map((f) => Uint16Array.from(f.adu));
  const localizer = new FrameLocalizer(resolveLocalizeOptions({ camera: { pixelSizeNm: 100, baselineAdu: 100, photonsPerAdu: 1 } }));
  return { size, frames, localizer, count: Math.max(1, Math.round(PER_ROUND_PX / (size * size))), results: [] as { camera: number; detect: number; fit: number; cpu: number }[] };
});
for (let round = 0; round < rounds + 1; round++) {
  for (const c of cases) {
    c.localizer.takeStats();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < c.count; i++) c.localizer.process({ index: i, width: c.size, height: c.size, data: c.frames[i % c.frames.length] });
    const cpu = process.cpuUsage(cpu0);
    const s = c.localizer.takeStats();
    const units = (c.count * c.size * c.size) / (256 * 256);
    if (round > 0) c.results.push({ camera: s.ms.camera / units, detect: s.ms.detect / units, fit: s.ms.fit / units, cpu: (cpu.user + cpu.system) / 1000 / units });
  }
}
const range = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return `${s[s.length >> 1].toFixed(3)} (${s[0].toFixed(3)}–${s[s.length - 1].toFixed(3)})`;
};
console.table(cases.map((c) => ({ size: `${c.size}²`, 'frames/round': c.count, 'camera ms': range(c.results.map((r) => r.camera)), 'detect ms': range(c.results.map((r) => r.detect)), 'fit ms': range(c.results.map((r) => r.fit)), 'CPU ms': range(c.results.map((r) => r.cpu)) })));
console.log('ms per 256×256-equivalent: median (range) of', rounds, 'interleaved rounds');
