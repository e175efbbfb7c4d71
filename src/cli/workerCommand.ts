import { parseQueueUrl } from '../cluster/parseQueueUrl.js';
import { startQueueWorker } from '../cluster/startQueueWorker.js';
import { FlagTable } from './FlagTable.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

export const WORKER_FLAGS = new FlagTable([
  ['Queue', [
    { name: 'queue', value: 'URL', help: 'the Redis the submitting machines use, redis://[:PASSWORD@]HOST:PORT (or SMLM_STREAM_QUEUE)', option: 'queue' },
    { name: 'concurrency', value: 'N', help: 'jobs at once; above 1 their frames are fitted on N worker threads', default: '1' },
  ]],
]);

export const help = `smlm-stream worker --queue redis://[:PASSWORD@]HOST:PORT [--concurrency N]

Takes chunk jobs of 'smlm-stream localize --queue' from a job queue on Redis (BullMQ) until
stopped: each job names a stack on storage this machine shares with the submitter, a range of
frames and the options; the worker reads those frames itself and returns their localizations.
SIGINT or SIGTERM: the jobs in hand are finished, then it exits. A worker killed outright loses
its job to another worker within seconds. The password may come in SMLM_STREAM_QUEUE instead of
the command line (where other users of the machine can read it); it is never printed.

${WORKER_FLAGS.help()}`;

export const optionFlags = WORKER_FLAGS.optionFlags;

/**
 * `smlm-stream worker`: serve the queue until a signal.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines (one per job)
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = WORKER_FLAGS.parse(argv);
  if (positionals.length > 0) throw new UsageError(`worker takes no file arguments, got '${positionals[0]}'`);
  const url = (values.queue as string | undefined) ?? process.env.SMLM_STREAM_QUEUE;
  if (!url) throw new UsageError('worker needs --queue redis://HOST:PORT (or SMLM_STREAM_QUEUE)');
  const address = parseQueueUrl(url);
  const concurrency = parseNumber(values.concurrency as string | undefined ?? '1', '--concurrency', { integer: true, min: 1 });
  const worker = await startQueueWorker(address, { concurrency, onLog: (line) => out(`smlm-stream worker: ${line}`) });
  out(`smlm-stream worker ${worker.id}: taking jobs from ${address.display} (${concurrency} at a time); Ctrl-C stops after the jobs in hand`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => resolve(s));
  });
  out(`smlm-stream worker: ${signal}: finishing the jobs in hand`);
  await worker.close();
  return signal === 'SIGINT' ? 130 : 143;
}
