import { readFileSync } from 'node:fs';
import { FIT_DEMO_HELP, fitDemo } from './fitDemo.js';
import { InvalidOptionError } from '../errors/InvalidOptionError.js';
import { UsageError } from './UsageError.js';

const HELP = `smlm-stream — single-molecule localization: TIFF frames to localizations, streamed.

Usage:
  smlm-stream <command> [options]
  smlm-stream --help | --version

Commands:
  fit-demo    simulate patches, fit them, compare with the truth and the CRLB

Run 'smlm-stream <command> --help' for a command's options.
`;

/** The package version, from package.json. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

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
      out(version());
      return 0;
    }
    const wantsHelp = rest.includes('--help') || rest.includes('-h');
    switch (command) {
      case 'fit-demo':
        if (wantsHelp) process.stdout.write(FIT_DEMO_HELP);
        else fitDemo(rest, out);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}' (see smlm-stream --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidOptionError || isParseArgsError(error)) {
      process.stderr.write(`smlm-stream: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
