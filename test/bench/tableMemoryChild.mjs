// One table command for tableMemory.ts, in a fresh process, on the compiled CLI (dist/, as users
// run it: `npm run build` first): run it, then write its exit code, wall time and peak RSS as
// JSON to the file named by the first argument.
import { writeFileSync } from 'node:fs';
import { main } from '../../dist/src/cli/main.js';

const [resultPath, ...argv] = process.argv.slice(2);
const t0 = performance.now();
const code = await main(argv);
const seconds = (performance.now() - t0) / 1000;
writeFileSync(resultPath, JSON.stringify({ code, seconds, peakMb: process.resourceUsage().maxRSS / 1024 }));
process.exitCode = code;
