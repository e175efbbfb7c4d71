import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSimulation } from '../simulate/writeSimulation.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

export const SIMULATE_HELP = `smlm-stream simulate OUT.tif [options]

Writes a simulated blinking SMLM stack (pixel-integrated Gaussian spots, Poisson noise, camera
offset, gain and read noise) and its ground truth OUT.truth.csv (frame, x [nm], y [nm], photons,
background).

Options:
  --width PX            frame width (default 64)
  --height PX           frame height (default 64)
  --frames N            frames (default 100)
  --pixel-size NM       pixel size (default 100)
  --psf-sigma NM        PSF sigma (default 130)
  --density D           emitters on per µm² in a frame (default 0.2)
  --photons N           photons per emitter per frame (default 2000)
  --background B        background, photons/px (default 20)
  --on-frames F         mean frames an emitter stays on (default 3)
  --min-separation NM   smallest distance between emitters on together (default 0)
  --baseline ADU        camera offset (default 100)
  --photons-per-adu E   photoelectrons per A/D count (default 1)
  --read-noise ADU      read noise standard deviation (default 1.5)
  --seed S              random seed (default 1)
  --float32             write float32 pixels (default uint16)
  --bigtiff             write BigTIFF
`;

/**
 * `smlm-stream simulate`: write a stack and its truth.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 */
export function simulateCommand(argv: string[], out: (line: string) => void): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      width: { type: 'string' },
      height: { type: 'string' },
      frames: { type: 'string' },
      'pixel-size': { type: 'string' },
      'psf-sigma': { type: 'string' },
      density: { type: 'string' },
      photons: { type: 'string' },
      background: { type: 'string' },
      'on-frames': { type: 'string' },
      'min-separation': { type: 'string' },
      baseline: { type: 'string' },
      'photons-per-adu': { type: 'string' },
      'read-noise': { type: 'string' },
      seed: { type: 'string' },
      float32: { type: 'boolean', default: false },
      bigtiff: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`simulate needs one output file, got ${positionals.length} (see smlm-stream simulate --help)`);
  const path = positionals[0];
  const truthPath = join(dirname(path), `${basename(path, extname(path))}.truth.csv`);
  const n = (name: string, limits = {}) => {
    const text = values[name as keyof typeof values];
    return typeof text === 'string' ? parseNumber(text, `--${name}`, limits) : undefined;
  };
  const t0 = performance.now();
  const result = writeSimulation(path, truthPath, {
    width: n('width', { integer: true, min: 1 }),
    height: n('height', { integer: true, min: 1 }),
    frames: n('frames', { integer: true, min: 1 }),
    pixelSizeNm: n('pixel-size'),
    psfSigmaNm: n('psf-sigma'),
    density: n('density'),
    photons: n('photons'),
    background: n('background'),
    meanOnFrames: n('on-frames'),
    minSeparationNm: n('min-separation'),
    baselineAdu: n('baseline'),
    photonsPerAdu: n('photons-per-adu'),
    readNoiseAdu: n('read-noise'),
    seed: n('seed', { integer: true }),
    sampleType: values.float32 ? 'float32' : 'uint16',
    bigTiff: values.bigtiff,
  });
  out(`smlm-stream simulate: ${result.frames} frames → ${path}, ${result.emitters} emitter-frames → ${truthPath} (${((performance.now() - t0) / 1000).toFixed(2)} s)`);
  return 0;
}
