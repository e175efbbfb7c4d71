/**
 * Peak memory while reading (issue 3): `npm run bench:io-memory [-- N1 N2 …]` writes a
 * 256×256 uint16 stack of each length (default 2000 and 20000 frames) into a temporary folder,
 * reads it to the end in a fresh process, and prints frames/s and the peak RSS of that process.
 * Peak RSS should not grow with the number of frames.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TiffStack } from '../../src/io/TiffStack.js';
import { writeBenchStack } from './ioBench.js';

if (process.argv[2] === '--child') {
  const path = process.argv[3];
  const t0 = performance.now();
  const stack = TiffStack.open(path);
  let frames = 0;
  let checksum = 0;
  for await (const frame of stack.frames()) {
    frames++;
    checksum += frame.data[frames % frame.data.length];
  }
  stack.close();
  const seconds = (performance.now() - t0) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ frames, seconds, peakMb, checksum }));
} else {
  const lengths = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const dir = mkdtempSync(join(tmpdir(), 'smlm-io-memory-'));
  try {
    const rows = [];
    for (const n of lengths.length ? lengths : [2000, 20000]) {
      const path = writeBenchStack(join(dir, `stack-${n}.tif`), n);
      const gb = statSync(path).size / 1e9;
      const out = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', path], { encoding: 'utf8' });
      const r = JSON.parse(out) as { frames: number; seconds: number; peakMb: number };
      rows.push({ frames: r.frames, 'file GB': gb.toFixed(2), 'frames/s': Math.round(r.frames / r.seconds), 'peak RSS MB': r.peakMb.toFixed(0) });
      rmSync(path);
    }
    console.table(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
