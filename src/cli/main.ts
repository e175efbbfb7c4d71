import { softwareVersion } from '../softwareVersion.js';
import { InputFileError } from '../errors/InputFileError.js';
import { TiffError } from '../io/TiffError.js';
import { EVALUATE_HELP, evaluateCommand } from './evaluateCommand.js';
import { EXPORT_HELP, exportCommand } from './exportCommand.js';
import { RENDER_HELP, renderCommand } from './renderCommand.js';
import { FIT_DEMO_HELP, fitDemo } from './fitDemo.js';
import { LOCALIZE_HELP, localizeCommand } from './localizeCommand.js';
import { SIMULATE_HELP, simulateCommand } from './simulateCommand.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { UsageError } from './UsageError.js';

const HELP = `smlm-stream — single-molecule localization: TIFF frames to localizations, streamed.

Usage:
  smlm-stream <command> [options]
  smlm-stream --help | --version

Commands:
  localize    find and fit every spot of a TIFF stack; write CSV + JSON sidecar
  simulate    write a simulated blinking stack and its ground truth
  evaluate    compare localizations with the ground truth (Jaccard, RMSE, bias)
  render      draw a super-resolution image (PNG) from a localization CSV
  export      write a localization CSV in Picasso's HDF5 format
  fit-demo    simulate patches, fit them, compare with the truth and the CRLB

Run 'smlm-stream <command> --help' for a command's options.
`;

/**
 * Run the command line. User errors print one line on stderr (no stack) and give exit code 2.
 * @param argv - the arguments after `smlm-stream`
 * @returns the process exit code
 */
export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      out(softwareVersion());
      return 0;
    }
    const wantsHelp = rest.includes('--help') || rest.includes('-h');
    switch (command) {
      case 'localize':
        if (wantsHelp) break;
        return await localizeCommand(rest, out);
      case 'simulate':
        if (wantsHelp) break;
        return simulateCommand(rest, out);
      case 'evaluate':
        if (wantsHelp) break;
        return evaluateCommand(rest, out);
      case 'render':
        if (wantsHelp) break;
        return renderCommand(rest, out);
      case 'export':
        if (wantsHelp) break;
        return await exportCommand(rest, out);
      case 'fit-demo':
        if (wantsHelp) break;
        fitDemo(rest, out);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}' (see smlm-stream --help)`);
    }
    process.stdout.write(COMMAND_HELP[command]);
    return 0;
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof InvalidOptionError ||
      error instanceof TiffError ||
      error instanceof InputFileError ||
      isParseArgsError(error) ||
      isFileSystemError(error)
    ) {
      // One line: parseArgs adds hints on further lines.
      process.stderr.write(`smlm-stream: ${(error as Error).message.split('\n')[0]}\n`);
      return 2;
    }
    throw error;
  }
}

const COMMAND_HELP: Record<string, string> = {
  localize: LOCALIZE_HELP,
  simulate: SIMULATE_HELP,
  evaluate: EVALUATE_HELP,
  render: RENDER_HELP,
  export: EXPORT_HELP,
  'fit-demo': FIT_DEMO_HELP,
};

/** A system error on a file the user named (ENOENT, EACCES, EISDIR…): its message names the path. */
function isFileSystemError(error: unknown): boolean {
  const e = error as { code?: string; syscall?: string; path?: string } | null;
  return typeof e?.code === 'string' && typeof e.syscall === 'string' && typeof e.path === 'string';
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
