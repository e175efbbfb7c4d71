// One end-to-end run for e2eBench.ts, in a fresh process, on the compiled package (dist/, as
// users run it: `npm run build` first): localize the stack, print the figures as JSON.
import { localizeStack } from '../../dist/src/index.js';

const [path, workers, output, multiEmitter = 'on'] = process.argv.slice(2);
const s = await localizeStack({ input: path, output, workers: Number(workers), options: { multiEmitter: { enabled: multiEmitter === 'on' } } });
const peakMb = process.resourceUsage().maxRSS / 1024;
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ frames: s.frames, localizations: s.localizations, seconds: s.seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, read: s.readSeconds, write: s.writeSeconds, ms: s.stats.ms, peakMb }));
