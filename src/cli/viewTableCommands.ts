import type { TableCommand, TableCommands } from '../view/server/TableSteps.js';
import { HttpError } from '../view/server/HttpError.js';
import { describeError } from './describeError.js';
import { DRIFT_FLAGS, run as runDrift } from './driftCommand.js';
import type { FlagTable } from './FlagTable.js';
import { MERGE_FLAGS, run as runMerge } from './mergeCommand.js';
import { RESOLUTION_FLAGS, run as runResolution } from './resolutionCommand.js';

/**
 * The drift, merge and resolution commands as `smlm-stream view`'s buttons run them (the
 * server's TableSteps): each command's own `run` on the CSV, its report lines kept, a refusal an
 * HttpError 400 in the words the command prints. Given to the server by viewCommand.ts, so the
 * server does not import the command line (src/view sits below src/cli).
 */
export const VIEW_TABLE_COMMANDS: TableCommands = {
  drift: commandOf(runDrift, DRIFT_FLAGS),
  merge: commandOf(runMerge, MERGE_FLAGS),
  resolution: commandOf(runResolution, RESOLUTION_FLAGS),
};

/** A command's `run` as a {@link TableCommand}. */
function commandOf(run: (argv: string[], out: (line: string) => void) => Promise<number>, flags: FlagTable): TableCommand {
  return (csv, more) => command(run, flags, csv, more);
}

/** A command's `run` on one CSV: its report lines; what it throws as HttpError 400 in the command's words. */
async function command(run: (argv: string[], out: (line: string) => void) => Promise<number>, flags: FlagTable, csv: string, more: string[] = []): Promise<string[]> {
  const lines: string[] = [];
  const argv = [csv, ...more];
  let code: number;
  try {
    code = await run(argv, (line) => lines.push(line));
  } catch (error) {
    const message = describeError(error, flags.optionFlags, argv, flags.valueFlags).message;
    if (message.startsWith('internal error')) throw error;
    throw new HttpError(400, message);
  }
  if (code !== 0) throw new HttpError(400, lines.at(-1) ?? `the step ended with exit code ${code}`);
  return lines;
}

