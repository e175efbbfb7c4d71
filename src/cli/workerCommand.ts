import { hostname } from 'node:os';
import { parseQueueUrl } from '../cluster/parseQueueUrl.js';
import { QUEUE_WORKER_DEFAULTS, startQueueWorker } from '../cluster/startQueueWorker.js';
import { signalExit } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { QUEUE_ENV, QUEUE_FROM_ENV, queueUrlFrom } from './queueUrlFrom.js';
import { UsageError } from './UsageError.js';

export const WORKER_FLAGS = new FlagTable([
  ['Queue', [
    { name: 'queue', value: 'URL', help: `the Redis the submitting machines use, redis://[:PASSWORD@]HOST:PORT, or ${QUEUE_FROM_ENV} for the URL in ${QUEUE_ENV}`, default: QUEUE_ENV, option: 'queue' },
    { name: 'concurrency', value: 'N', help: 'jobs at once, at most the cores; above 1 their frames are fitted on N worker threads', default: String(QUEUE_WORKER_DEFAULTS.concurrency) },
  ]],
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = WORKER_FLAGS;

export const help = `${QUEUE_ENV}=redis://[:PASSWORD@]HOST:PORT smlm-stream worker [--concurrency N]

Takes chunk jobs of 'smlm-stream localize --queue' from a job queue on Redis (BullMQ) until
stopped: each job names a stack on storage this machine shares with the submitter, a range of
frames and the options; the worker reads those frames itself and returns their localizations.
SIGINT or SIGTERM: the jobs in hand are finished, then it exits. A worker killed outright loses
its job to another worker within seconds; a job a worker fails goes to another worker before the
run fails. Redis lost: one line, and the worker keeps trying until it answers. The URL comes from
${QUEUE_ENV} (or --queue, where other users of the machine can read its password); the password
is never printed.

${WORKER_FLAGS.help()}`;

export const optionFlags = WORKER_FLAGS.optionFlags;

/**
 * `smlm-stream worker`: serve the queue until a signal.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines (one per job)
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { positionals, text } = WORKER_FLAGS.parse(argv);
  if (positionals.length > 0) throw new UsageError(`worker takes no file arguments, got '${positionals[0]}'`);
  const flag = text('queue');
  const url = flag === undefined ? process.env[QUEUE_ENV] : queueUrlFrom(flag, process.env, (message) => process.stderr.write(`smlm-stream: warning: ${message}\n`));
  if (!url) throw new UsageError(`worker needs the queue: ${QUEUE_ENV}=redis://HOST:PORT, or --queue redis://HOST:PORT`);
  const address = parseQueueUrl(url);
  const asked = parseNumber(text('concurrency') ?? String(QUEUE_WORKER_DEFAULTS.concurrency), '--concurrency', { integer: true, min: 1 });
  const worker = await startQueueWorker(address, { id: `${hostname()}:${process.pid}`, concurrency: asked, onLog: (line) => out(`smlm-stream worker: ${line}`) });
  const concurrency = worker.concurrency;
  if (concurrency < asked) process.stderr.write(`smlm-stream: warning: --concurrency ${asked} asked for, but this machine has ${concurrency} core${concurrency === 1 ? '' : 's'}: taking ${concurrency} job${concurrency === 1 ? '' : 's'} at a time\n`);
  out(`smlm-stream worker ${worker.id}: taking jobs from ${address.display} (${concurrency} at a time); Ctrl-C stops after the jobs in hand`);
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const waiting: [NodeJS.Signals, () => void][] = [];
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of signals) {
      const onSignal = () => resolve(s);
      waiting.push([s, onSignal]);
      process.once(s, onSignal);
    }
  });
  const code = signalExit(signal);
  // A second signal (either) quits at once, whatever the jobs in hand or Redis are doing.
  for (const [s, onSignal] of waiting) {
    process.off(s, onSignal);
    process.once(s, () => process.exit(code));
  }
  const what = worker.isLost() ? 'stopping now (the queue is lost: its jobs in hand go to another worker once it is back)' : 'finishing the jobs in hand';
  out(`smlm-stream worker: ${signal}: ${what} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again quits at once)`);
  await worker.close();
  return code;
}
