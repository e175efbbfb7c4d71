/**
 * End-to-end benchmark (issue 5): `npm run bench:e2e [-- --frames N1,N2 --workers 1,2 --multi-emitter on,off]`.
 * Localizes a simulated 256×256 uint16 stack with ~40 spots per frame, written once into
 * `$TMPDIR/smlm-stream-bench/` and reused, in a fresh process per run, and prints frames/s,
 * localizations/s, the peak RSS of that process and the time by stage, for each stack length
 * and worker count. To write 10⁴ frames quickly the stack repeats 128 distinct simulated frames.
 * The runs use the compiled package (e2eChild.mjs imports dist/): run `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TiffWriter } from '../../src/io/TiffWriter.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';

const WIDTH = 256;
const DISTINCT = 128;
/** ~40 emitters on per frame: 0.061 per µm² over 25.6 × 25.6 µm. */
const SIM = { width: WIDTH, height: WIDTH, frames: DISTINCT, density: 0.061, photons: 1500, background: 20, seed: 5 } as const;

function stackPath(frames: number): string {
  const dir = join(tmpdir(), 'smlm-stream-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `e2e-256-${frames}.tif`);
  if (existsSync(path)) return path;
  const distinct = [...simulateStack(SIM)].map((f) => f.adu);
  const writer = new TiffWriter(`${path}.writing`, { width: WIDTH, height: WIDTH, pixelSizeNm: 100, frameCount: frames });
  for (let f = 0; f < frames; f++) writer.append(distinct[f % DISTINCT]);
  writer.close();
  execFileSync('mv', [`${path}.writing`, path]);
  return path;
}

{
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(name);
    return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
  };
  const lengths = arg('--frames', '10000,20000').split(',').map(Number);
  const all = availableParallelism();
  const workerCounts = arg('--workers', `1,${all}`).split(',').map(Number);
  const multi = arg('--multi-emitter', 'on').split(',');
  const rows = [];
  for (const frames of lengths) {
    const path = stackPath(frames);
    for (const workers of workerCounts) for (const multiEmitter of multi) {
      const output = join(tmpdir(), `smlm-stream-bench-e2e-${process.pid}.csv`);
      const child = new URL('./e2eChild.mjs', import.meta.url).pathname;
      const out = execFileSync(process.execPath, [child, path, String(workers), output, multiEmitter], { encoding: 'utf8', maxBuffer: 1 << 20 });
      rmSync(output, { force: true });
      rmSync(output.replace(/\.csv$/, '.json'), { force: true });
      const r = JSON.parse(out) as { frames: number; localizations: number; seconds: number; read: number; write: number; ms: { camera: number; detect: number; fit: number }; peakMb: number };
      rows.push({
        frames: r.frames,
        workers,
        'multi-emitter': multiEmitter,
        'frames/s': Math.round(r.frames / r.seconds),
        'localizations/s': Math.round(r.localizations / r.seconds),
        'wall s': r.seconds.toFixed(1),
        'peak RSS MB': Math.round(r.peakMb),
        'read s': r.read.toFixed(2),
        'write s': r.write.toFixed(2),
        'camera CPU s': (r.ms.camera / 1000).toFixed(2),
        'detect CPU s': (r.ms.detect / 1000).toFixed(2),
        'fit CPU s': (r.ms.fit / 1000).toFixed(2),
      });
    }
  }
  console.table(rows);
}
