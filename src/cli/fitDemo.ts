import { FitStatus } from '../fit/FitStatus.js';
import { fitPatches } from '../fit/fitPatches.js';
import { simulatePatches } from '../simulate/simulatePatches.js';
import { UsageError } from './UsageError.js';
import { parseCommandArgs } from './parseCommandArgs.js';
import { parseNumber } from './parseNumber.js';

export const help = `smlm-stream fit-demo [options]

Simulates patches with one spot each (pixel-integrated Gaussian, Poisson noise), fits them with
the default solver and prints what came back against the truth and the CRLB.

Options:
  --count N          patches (default 20000)
  --box PX           patch width, odd (default 7)
  --sigma PX         PSF sigma in pixels (default 1.3)
  --photons N        photons per spot (default 2000)
  --background B     background, photons/px (default 20)
  --free-sigma       fit sigma as a fifth parameter
  --seed S           random seed (default 1)
`;

/**
 * `smlm-stream fit-demo`: simulate, fit, print a summary a person can read (converged %,
 * bias and precision against the CRLB, iterations, fits/s).
 * @param argv - arguments after the subcommand
 * @param print - where lines go
 */
export function run(argv: string[], print: (line: string) => void): number {
  const { values, positionals } = parseCommandArgs(argv, {
      count: { type: 'string', default: '20000' },
      box: { type: 'string', default: '7' },
      sigma: { type: 'string', default: '1.3' },
      photons: { type: 'string', default: '2000' },
      background: { type: 'string', default: '20' },
      'free-sigma': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
  });
  if (positionals.length > 0) throw new UsageError(`fit-demo takes no file, got '${positionals[0]}'`);
  const count = parseNumber(values.count, '--count', { integer: true, min: 1 });
  const box = parseNumber(values.box, '--box', { integer: true, min: 3 });
  const sigmaPx = parseNumber(values.sigma, '--sigma', { min: 0.1 });
  const photons = parseNumber(values.photons, '--photons', { min: 1 });
  const background = parseNumber(values.background, '--background', { min: 0 });
  const seed = parseNumber(values.seed, '--seed', { integer: true });
  const fitSigma = values['free-sigma'] ?? false;

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
  return 0;
}
