import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';

/** The option table of a command, as node:util's parseArgs takes it. */
export type OptionTable = NonNullable<ParseArgsConfig['options']>;

/** What {@link parseCommandArgs} returns: the values by option, and the positionals. */
export type ParsedArgs<T extends OptionTable> = ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>;

/** A negative number as a value: -1, -0.5, -.5, -1e-3. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Parse a command's arguments with node:util's parseArgs (strict: unknown options are
 * errors), positionals allowed. A value that starts with '-' is taken for an option by
 * parseArgs ("argument is ambiguous"); a negative number after an option that takes a value is
 * what the user meant, so `--baseline -5` is read as `--baseline=-5`.
 * @param argv - the arguments after the command's name
 * @param options - the command's options
 */
export function parseCommandArgs<T extends OptionTable>(argv: readonly string[], options: T): ParsedArgs<T> {
  const takesValue = new Set<string>();
  for (const [name, option] of Object.entries(options)) {
    if (option.type !== 'string') continue;
    takesValue.add(`--${name}`);
    if (option.short) takesValue.add(`-${option.short}`);
  }
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (takesValue.has(arg) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(arg.startsWith('--') ? `${arg}=${next}` : `${arg}${next}`);
      i++;
    } else {
      args.push(arg);
    }
  }
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}
