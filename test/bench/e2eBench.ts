/**
 * End-to-end benchmark (issues 5, 28):
 * `npm run bench:e2e [-- --size 256,1024,2048 --frames N1,N2 --workers 1,2 --multi-emitter on,off --density 0.061,1.5
 * --other CHECKOUT --repeat R]`.
 * Localizes simulated uint16 stacks with the same spot density per area at each frame size
 * (~40 spots in a 256×256 frame, ~2 600 in a 2048×2048 one), written once into
 * `$TMPDIR/smlm-stream-bench/` and reused, in a fresh process per run, and prints frames/s,
 * pixels/s, localizations/s, the setup (until the first frame's rows: the settings step, the
 * background choice, the workers' start), the CPU seconds of the process and of its main thread,
 * its peak RSS (VmHWM: see e2eChild.mjs) and the time by stage, for each size, stack length and
 * worker count. The stage times are wall clocks summed over the threads, not CPU: with more
 * threads than free cores they grow with the waiting (2 workers and the main thread on 2 cores
 * "doubled" the detection's), while the CPU seconds do not. To write long stacks quickly a stack repeats a few distinct
 * simulated frames (128 of 256×256; as many pixels' worth, at least 31, of larger frames).
 * `--size` alone runs each size with its own default length ({@link DEFAULT_FRAMES}: 10 000 and
 * 20 000 frames of 256², 400 of 1024², 200 of 2048²); `--frames` applies to every size.
 * `--density` (emitters/µm², same photons and background) adds dense stacks (issue 27: the dense
 * case is 1.5 /µm², 256², {@link DENSE_FRAMES} frames unless `--frames` is given); each row then
 * also gives localizations per CPU second and the ratio to the first density's.
 * The runs use the compiled package (e2eChild.mjs imports dist/): run `npm run build` first.
 * `--other CHECKOUT` runs that checkout's e2eChild.mjs (its own dist/) right after each run of
 * this one (the machine's load falls on both alike), a row each: a before/after table from one
 * run; `--repeat R` repeats every run R times (interleaved: compare the ranges).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TiffWriter } from '../../src/io/TiffWriter.js';
import { PERSISTENCE_FRAMES } from '../../src/detect/PersistentSpots.js';
import { simulateStack } from '../../src/simulate/simulateStack.js';

/**
 * Distinct simulated frames of 256×256 a stack repeats; larger frames get as many pixels' worth,
 * but at least PERSISTENCE_FRAMES + 1: the run's background check looks for spots that stay in
 * place through its first frames, and a stack repeating fewer would be taken for a cell's
 * vesicles (the temporal median, which holds its window of frames: 1.3 GB at 2048²).
 */
const DISTINCT_256 = 128;
/** Each size's stack lengths when `--frames` is not given. */
const DEFAULT_FRAMES: Readonly<Record<number, readonly number[]>> = { 256: [10000, 20000], 1024: [400], 2048: [200] };
/** ~40 emitters on per 256×256 frame: 0.061 per µm² over 25.6 × 25.6 µm, the same per area at every size. */
const SIM = { density: 0.061, photons: 1500, background: 20, seed: 5 } as const;
/** Frames of a dense stack (density above {@link SIM}'s) when `--frames` is not given: ~1 000 spots a 256² frame at 1.5 /µm². */
const DENSE_FRAMES = [300];

function stackPath(width: number, frames: number, density: number = SIM.density): string {
  const dir = join(tmpdir(), 'smlm-stream-bench');
  mkdirSync(dir, { recursive: true });
  const distinctFrames = Math.max(PERSISTENCE_FRAMES + 1, Math.round((DISTINCT_256 * 256 * 256) / (width * width)));
  const dense = density === SIM.density ? '' : `-rho${density}`;
  const path = join(dir, `e2e-${width}-${frames}${width === 256 ? '' : `-d${distinctFrames}`}${dense}.tif`);
  if (existsSync(path)) return path;
  const distinct = [...simulateStack({ ...SIM, density, width, height: width, frames: distinctFrames })].map((f) => f.adu);
  const writer = new TiffWriter(`${path}.writing`, { width, height: width, pixelSizeNm: 100, frameCount: frames });
  for (let f = 0; f < frames; f++) writer.append(distinct[f % distinctFrames]);
  writer.close();
  execFileSync('mv', [`${path}.writing`, path]);
  return path;
}

{
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(name);
    return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
  };
  const sizes = arg('--size', '256').split(',').map(Number);
  const givenLengths = process.argv.includes('--frames') ? arg('--frames', '').split(',').map(Number) : undefined;
  const all = availableParallelism();
  const workerCounts = arg('--workers', `1,${all}`).split(',').map(Number);
  const multi = arg('--multi-emitter', 'on').split(',');
  const densities = arg('--density', String(SIM.density)).split(',').map(Number);
  const other = arg('--other', '');
  const repeat = Number(arg('--repeat', '1'));
  const children: [string, string][] = [['this', new URL('./e2eChild.mjs', import.meta.url).pathname]];
  if (other) children.push(['other', join(other, 'test/bench/e2eChild.mjs')]);
  const rows = [];
  /** Localizations per CPU second of the first density's run of the same size, workers and multi-emitter setting. */
  const reference = new Map<string, number>();
  for (const size of sizes) for (const density of densities) for (const frames of givenLengths ?? (density > SIM.density ? DENSE_FRAMES : DEFAULT_FRAMES[size] ?? [200])) {
    const path = stackPath(size, frames, density);
    for (let r = 0; r < repeat; r++) for (const workers of workerCounts) for (const multiEmitter of multi) for (const [checkout, child] of children) {
      const output = join(tmpdir(), `smlm-stream-bench-e2e-${process.pid}.csv`);
      const out = execFileSync(process.execPath, [child, path, String(workers), output, multiEmitter], { encoding: 'utf8', maxBuffer: 1 << 20 });
      rmSync(output, { force: true });
      rmSync(output.replace(/\.csv$/, '.json'), { force: true });
      const r = JSON.parse(out) as { frames: number; localizations: number; seconds: number; setupSeconds: number; read: number; write: number; ms: { camera: number; detect: number; fit: number }; cpuSeconds: number; mainCpuSeconds?: number; peakMb: number };
      const perCpu = r.localizations / r.cpuSeconds;
      const key = `${checkout} ${size} ${workers} ${multiEmitter}`;
      if (!reference.has(key)) reference.set(key, perCpu);
      rows.push({
        ...(other ? { checkout } : {}),
        size: `${size}²`,
        '/µm²': density,
        frames: r.frames,
        workers,
        'multi-emitter': multiEmitter,
        'frames/s': Math.round(r.frames / r.seconds),
        'Mpx/s': Math.round((r.frames * size * size) / r.seconds / 1e6),
        'localizations/s': Math.round(r.localizations / r.seconds),
        'loc/CPU s': Math.round(perCpu),
        'vs first density': (perCpu / (reference.get(key) ?? perCpu)).toFixed(2),
        'wall s': r.seconds.toFixed(1),
        'setup s': r.setupSeconds.toFixed(2),
        'CPU s': r.cpuSeconds.toFixed(1),
        'main CPU s': r.mainCpuSeconds?.toFixed(1) ?? '',
        'peak RSS MB': Math.round(r.peakMb),
        'read s': r.read.toFixed(2),
        'write s': r.write.toFixed(2),
        'camera s': (r.ms.camera / 1000).toFixed(2),
        'detect s': (r.ms.detect / 1000).toFixed(2),
        'fit s': (r.ms.fit / 1000).toFixed(2),
      });
    }
  }
  console.table(rows);
}
