/**
 * Timings of `smlm-stream view` (issue 30's targets): from the process's start to the first
 * frame served (the first line read, then GET /api/frame?index=0) on a 256² px stack, from the
 * page's open (POST /api/open) to its first frame, and the
 * preview of one 256² frame after a threshold change (the settings step cached, as the page
 * meets it): waiting for the background's choice, and as the page asks (allowStale: at once,
 * with the last choice; then again for the current answer). The compiled CLI (`npm run build`
 * first).
 *
 *     node --import tsx test/bench/viewTimings.ts [FRAMES]   (default 200)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { startView } from '../view/viewProcess.js';

const frames = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(join(tmpdir(), 'smlm-view-bench-'));
const stack = join(dir, 'bench.tif');
writeSimulation(stack, join(dir, 'bench.truth.csv'), { width: 256, height: 256, frames, density: 0.5, seed: 7 });
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
try {
  const starts: number[] = [];
  const previews: number[] = [];
  const serverMs: number[] = [];
  const staleMs: number[] = [];
  const currentMs: number[] = [];
  const opens: number[] = [];
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const view = await startView([stack]);
    const r = await view.api('/api/frame?index=0');
    await r.arrayBuffer();
    starts.push(performance.now() - t0);
    // The first preview waits for the settings step begun at open; the later ones are what a
    // threshold change costs.
    await (await view.post('/api/preview', { frame: 0, flags: {} })).json();
    for (const threshold of ['1.3', '1.6', '2', '1.15', '2.5']) {
      const p0 = performance.now();
      const p = (await (await view.post('/api/preview', { frame: 10, flags: { threshold } })).json()) as { elapsedMs: number; candidates: unknown[] };
      previews.push(performance.now() - p0);
      serverMs.push(p.elapsedMs);
    }
    // As the page asks: at once (allowStale: the last background choice while the new one is
    // made), then again for the current answer.
    for (const threshold of ['1.4', '1.7', '2.2']) {
      const s0 = performance.now();
      const p = (await (await view.post('/api/preview', { frame: 10, flags: { threshold }, allowStale: true })).json()) as { backgroundCurrent?: boolean };
      staleMs.push(performance.now() - s0);
      if (p.backgroundCurrent === false) await (await view.post('/api/preview', { frame: 10, flags: { threshold } })).json();
      currentMs.push(performance.now() - s0);
    }
    // Opening the stack from the page (the server up): POST /api/open, then its first frame.
    const o0 = performance.now();
    await (await view.post('/api/open', { path: 'bench.tif' })).json();
    await (await view.api('/api/frame?index=0')).arrayBuffer();
    opens.push(performance.now() - o0);
    await view.stop();
  }
  console.log(`view on a 256² px stack of ${frames} frames:`);
  console.log(`  start → first frame served   median ${median(starts).toFixed(0)} ms (${starts.map((v) => v.toFixed(0)).join(', ')})`);
  console.log(`  open from the page → first frame   median ${median(opens).toFixed(0)} ms (${opens.map((v) => v.toFixed(0)).join(', ')})`);
  console.log(`  preview after a threshold change   median ${median(previews).toFixed(0)} ms round trip, ${median(serverMs).toFixed(0)} ms in the server (${previews.length} previews)`);
  console.log(`  the same as the page asks   median ${median(staleMs).toFixed(0)} ms to the first answer (${staleMs.map((v) => v.toFixed(0)).join(', ')}), ${median(currentMs).toFixed(0)} ms to the current one (${currentMs.map((v) => v.toFixed(0)).join(', ')})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
