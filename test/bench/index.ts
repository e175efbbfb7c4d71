/**
 * `npm run bench` — runs the benchmarks with tinybench and prints a table;
 * `npm run bench -- --json` prints the same results as JSON (one object per case);
 * `npm run bench -- --quick` runs shorter (a smoke test, not for reporting);
 * `npm run bench -- --filter TEXT` runs only the cases whose name contains TEXT.
 * After the table, the fit core is compared with a compiled numba Newton (baseline/numbaCompare.ts)
 * where `python3 -c 'import numba'` works (without a filter, or with one that "numba" contains or
 * that contains "numba"); otherwise it says numba is not available.
 * Ratios are computed within one run: this machine is shared and noisy.
 */
import { Bench } from 'tinybench';
import type { CaseInfo } from './fitBench.js';
import { addFitCases } from './fitBench.js';
import { addIoCases } from './ioBench.js';
import { addMultiEmitterCases } from './multiEmitterBench.js';
import { addAstigmaticCases } from './astigBench.js';
import { addDetectCases } from './detectBench.js';
import { addSplineCases } from './splineBench.js';
import { printNumbaComparison } from './baseline/numbaCompare.js';

interface CaseResult {
  name: string;
  opsPerSecond: number;
  rme: number;
  samples: number;
  /** Work items per second (fits or frames, see `unit`). */
  ratePerSecond?: number;
  unit?: string;
  ratioToBaseline?: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const filterAt = args.indexOf('--filter');
  const filter = filterAt >= 0 ? args[filterAt + 1] ?? '' : '';
  const bench = new Bench({ time: quick ? 200 : 1500, warmupTime: quick ? 50 : 300 });
  const info = new Map<string, CaseInfo>();
  for (const [k, v] of addFitCases(bench, quick)) info.set(k, v);
  for (const [k, v] of addMultiEmitterCases(bench, quick)) info.set(k, v);
  for (const [k, v] of addAstigmaticCases(bench, quick)) info.set(k, v);
  for (const [k, v] of addDetectCases(bench, quick)) info.set(k, v);
  for (const [k, v] of addSplineCases(bench, quick)) info.set(k, v);
  const cleanups = [addIoCases(bench, info, quick)];
  const withNumba = !filter || filter.includes('numba') || 'numba'.includes(filter);
  if (filter) {
    for (const task of [...bench.tasks]) if (!task.name.includes(filter)) bench.remove(task.name);
  }
  try {
    await bench.run();
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
  const results: CaseResult[] = [];
  for (const task of bench.tasks) {
    const r = task.result;
    if (r.state !== 'completed') {
      results.push({ name: task.name, opsPerSecond: Number.NaN, rme: Number.NaN, samples: 0 });
      continue;
    }
    const c = info.get(task.name);
    const res: CaseResult = {
      name: task.name,
      opsPerSecond: r.throughput.mean,
      rme: r.latency.rme,
      samples: r.latency.samplesCount,
    };
    if (c) {
      res.ratePerSecond = r.throughput.mean * c.fitsPerOp;
      res.unit = c.unit ?? 'fits/s';
    }
    results.push(res);
  }
  for (const [name, c] of info) {
    if (c.baselineFor) {
      const target = info.get(c.baselineFor);
      if (target) target.baseline = name;
    }
  }
  for (const res of results) {
    const base = info.get(res.name)?.baseline;
    const b = base ? results.find((x) => x.name === base) : undefined;
    if (b?.ratePerSecond && res.ratePerSecond) res.ratioToBaseline = res.ratePerSecond / b.ratePerSecond;
  }
  if (json) {
    const numba = withNumba ? await printNumbaComparison(quick, true) : undefined;
    process.stdout.write(`${JSON.stringify(numba ? [...results, { numbaComparison: numba }] : results, null, 2)}\n`);
    return;
  }
  console.table(
    results.map((r) => ({
      case: r.name,
      'ops/s': r.opsPerSecond.toFixed(1),
      rate: r.ratePerSecond === undefined ? '' : `${Math.round(r.ratePerSecond).toLocaleString('en-US')} ${r.unit}`,
      '± %': r.rme.toFixed(2),
      'ratio to baseline': r.ratioToBaseline === undefined ? '' : `${r.ratioToBaseline.toFixed(1)}×`,
    })),
  );
  if (withNumba) await printNumbaComparison(quick, false);
}

await main();
