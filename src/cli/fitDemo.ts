import { FitStatus } from '../fit/FitStatus.js';
import { fitPatches } from '../fit/fitPatches.js';
import { PATCH_DEMO_DEFAULTS, simulatePatches } from '../simulate/simulatePatches.js';
import { EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { UsageError } from './UsageError.js';
import { parseNumber } from './parseNumber.js';

/** The fit-demo command's flags, each default from the library's defaults. */
export const FIT_DEMO_FLAGS = new FlagTable([
  ['Options', [
    { name: 'count', value: 'N', help: 'patches', default: String(PATCH_DEMO_DEFAULTS.count) },
    { name: 'box', value: 'PX', help: 'patch width, odd', default: String(PATCH_DEMO_DEFAULTS.box) },
    { name: 'sigma', value: 'PX', help: 'PSF sigma in pixels', default: String(PATCH_DEMO_DEFAULTS.sigmaPx) },
    { name: 'photons', value: 'N', help: 'photons per spot', default: String(PATCH_DEMO_DEFAULTS.photons) },
    { name: 'background', value: 'B', help: 'background, photons/px', default: String(PATCH_DEMO_DEFAULTS.background) },
    { name: 'free-sigma', help: 'fit sigma as a fifth parameter' },
    { name: 'seed', value: 'S', help: 'random seed', default: String(PATCH_DEMO_DEFAULTS.seed) },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = FIT_DEMO_FLAGS;

export const help = `smlm-stream fit-demo [options]

Simulates patches with one spot each (pixel-integrated Gaussian, Poisson noise), fits them with
the default solver and prints what came back against the truth and the CRLB.

${FIT_DEMO_FLAGS.help()}`;

/**
 * `smlm-stream fit-demo`: simulate, fit, print a summary a person can read (converged %,
 * bias and precision against the CRLB, iterations, fits/s).
 * @param argv - arguments after the subcommand
 * @param print - where lines go
 */
export function run(argv: string[], print: (line: string) => void): number {
  const { values, positionals, text } = FIT_DEMO_FLAGS.parse(argv);
  if (positionals.length > 0) throw new UsageError(`fit-demo takes no file, got '${positionals[0]}'`);
  // A flag not given takes its default, checked as if it had been typed.
  const number = (name: string, fallback: number, limits: { integer?: boolean; min: number }) => parseNumber(text(name) ?? String(fallback), `--${name}`, limits);
  const count = number('count', PATCH_DEMO_DEFAULTS.count, { integer: true, min: 1 });
  const box = number('box', PATCH_DEMO_DEFAULTS.box, { integer: true, min: 3 });
  const sigmaPx = number('sigma', PATCH_DEMO_DEFAULTS.sigmaPx, { min: 0.1 });
  const photons = number('photons', PATCH_DEMO_DEFAULTS.photons, { min: 1 });
  const background = number('background', PATCH_DEMO_DEFAULTS.background, { min: 0 });
  const seed = parseNumber(text('seed') ?? String(PATCH_DEMO_DEFAULTS.seed), '--seed', { integer: true });
  const fitSigma = values['free-sigma'] === true;

  const sim = simulatePatches({ count, box, sigmaPx, photons, background, seed });
  const t0 = performance.now();
  const r = fitPatches(sim.data, { box, sigmaPx, fitSigma });
  const seconds = (performance.now() - t0) / 1000;

  let converged = 0, sx = 0, sxx = 0, crlb = 0, sn = 0, sb = 0;
  const iterations: number[] = [];
  for (let i = 0; i < count; i++) {
    if (r.status[i] !== FitStatus.converged) continue;
    converged++;
    const d = r.x[i] - sim.x[i];
    sx += d;
    sxx += d * d;
    crlb += r.uncertaintyX[i] ** 2;
    sn += r.photons[i];
    sb += r.background[i];
    iterations.push(r.iterations[i]);
  }
  iterations.sort((a, b) => a - b);
  const bias = sx / converged;
  const std = Math.sqrt(sxx / converged - bias * bias);
  const fmt = (v: number, digits = 4) => v.toFixed(digits);
  print(`fit-demo: ${count} patches ${box}×${box}, σ = ${sigmaPx} px${fitSigma ? ' (fitted)' : ''}, N = ${photons}, b = ${background}, seed ${seed}`);
  print(`  converged            ${converged} (${fmt((100 * converged) / count, 2)} %)`);
  print(`  mean N̂ / true N      ${fmt(sn / converged / photons)}`);
  print(`  mean b̂ / true b      ${background > 0 ? fmt(sb / converged / background) : 'n/a'}`);
  print(`  bias x̂ − x           ${fmt(bias)} px`);
  print(`  std(x̂ − x)           ${fmt(std)} px`);
  print(`  √CRLB x (mean)       ${fmt(Math.sqrt(crlb / converged))} px  → std/√CRLB = ${fmt(std / Math.sqrt(crlb / converged), 3)}`);
  print(`  median iterations    ${iterations[iterations.length >> 1] ?? 'n/a'}`);
  print(`  throughput           ${Math.round(count / seconds).toLocaleString('en-US')} fits/s (one thread, includes JIT warm-up)`);
  return EXIT.ok;
}
