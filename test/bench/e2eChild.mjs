// One end-to-end run for e2eBench.ts, in a fresh process, on the compiled package (dist/, as
// users run it: `npm run build` first): localize the stack, print the figures as JSON.
//
// Peak RSS is this process's VmHWM (Linux): getrusage's maxRSS also counts the parent's RSS at
// the fork (Linux keeps the larger across exec), so a child of a bench that had just simulated a
// 2048² stack reported the bench's 1 GB. CPU is measured, not the stages' wall clocks: the main
// thread's own (/proc/thread-self) and the whole process's (workers, garbage collectors).
import { readFileSync } from 'node:fs';
import { localizeStack } from '../../dist/src/index.js';

/** This thread's CPU time, ms (Linux; undefined elsewhere). */
function threadCpuMs() {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/** The peak RSS of this process, MB: VmHWM where /proc has it, else maxRSS. */
function peakMb() {
  try {
    return Number(readFileSync('/proc/self/status', 'utf8').match(/VmHWM:\s+(\d+)/)[1]) / 1024;
  } catch {
    return process.resourceUsage().maxRSS / 1024;
  }
}

const [path, workers, output, multiEmitter = 'on'] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const main0 = threadCpuMs();
const t0 = performance.now();
let setupSeconds;
const s = await localizeStack({
  input: path,
  output,
  workers: Number(workers),
  options: { multiEmitter: { enabled: multiEmitter === 'on' } },
  // The settings step, the background choice and the workers' start, until the first frame's rows.
  onBatch: () => void (setupSeconds ??= (performance.now() - t0) / 1000),
});
const cpu = process.cpuUsage(cpu0);
const main1 = threadCpuMs();
process.stdout.write(JSON.stringify({
  frames: s.frames,
  localizations: s.localizations,
  seconds: s.seconds,
  setupSeconds,
  read: s.readSeconds,
  write: s.writeSeconds,
  ms: s.stats.ms,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  mainCpuSeconds: main0 === undefined || main1 === undefined ? undefined : (main1 - main0) / 1000,
  peakMb: peakMb(),
}));
