import { printable } from '../errors/printable.js';
import { softwareVersion } from '../softwareVersion.js';
import { describeError, EXIT } from './describeError.js';
import { UsageError } from './UsageError.js';
import type { CommandModule } from './commands.js';
import { COMMANDS, TOP_LEVEL_HELP } from './commands.js';

/**
 * Run the command line. Every error ends in one line on stderr, never a stack trace
 * (`SMLM_STREAM_DEBUG=1` adds it): user errors exit with 2, failures during a run (a write
 * error, a stack cut off) with 1.
 * @param argv - the arguments after `smlm-stream`
 * @param write - where the commands' output lines go @default process.stdout
 * @returns the process exit code
 */
export async function main(argv: string[], write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  // Every line through printable: a file name's escape sequences never reach the terminal.
  const out = (text: string) => write(`${text.split('\n').map((line) => printable(line, Infinity)).join('\n')}\n`);
  const [command, ...rest] = argv;
  let module: CommandModule | undefined;
  try {
    if (command === undefined || command === '--help' || command === '-h' || (command === 'help' && rest.length === 0)) {
      process.stdout.write(TOP_LEVEL_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === '--version' || command === '-v') {
      out(softwareVersion());
      return EXIT.ok;
    }
    const name = command === 'help' ? rest[0] : command;
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw new UsageError(`unknown command '${name}' (see smlm-stream --help)`);
    module = await entry.load();
    if (command === 'help' || rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(module.help);
      return EXIT.ok;
    }
    return await module.run(rest, out);
  } catch (error) {
    const { message, code, picture } = describeError(error, module?.optionFlags, rest, module?.valueFlags);
    process.stderr.write(`smlm-stream: ${message}\n${picture ? `${picture}\n` : ''}`);
    if (code !== EXIT.usage && process.env.SMLM_STREAM_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    return code;
  }
}

