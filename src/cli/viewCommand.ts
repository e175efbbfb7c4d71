import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlagValues } from '../view/protocol.js';
import { HttpError } from '../view/server/HttpError.js';
import type { LocalizeFlags, ParsedLocalize } from '../view/server/LocalizeFlags.js';
import { startViewServer } from '../view/server/startViewServer.js';
import { ViewSession } from '../view/server/ViewSession.js';
import { printable } from '../errors/printable.js';
import { describeError, EXIT } from './describeError.js';
import { FlagTable } from './FlagTable.js';
import type { Flag } from './FlagTable.js';
import { VIEW_TABLE_COMMANDS } from './viewTableCommands.js';
import { defaultOutputOf, LOCALIZE_FLAGS, otherInputs, parseLocalizeFlags } from './localizeCommand.js';
import { parseNumber } from './parseNumber.js';
import { UsageError } from './UsageError.js';

/**
 * localize's flags that `view` takes (on its command line and from the page): the camera, the
 * PSF and detection, the background, the fit, 3-D, crowded spots, the frames (with --follow),
 * the workers. Not the outputs (a run writes where `localize STACK` writes), the merge, the
 * preview PNG, the queue or --quiet: a page never names a file to write.
 */
const LOCALIZE_SECTIONS = ['Camera', 'PSF and detection', 'Background', 'Fit', '3-D', 'Crowded spots', 'Frames', 'Running'];

/** localize's flags left out of view's (see {@link LOCALIZE_SECTIONS}); all-fits is taken from the outputs. */
const LEFT_OUT = new Set(['queue', 'quiet']);

/** The localize flags of `view`. */
const VIEW_LOCALIZE_FLAGS: readonly (readonly [string, readonly Flag[]])[] = [
  ['Output of a run (the CSV and sidecar localize STACK writes: STACK.csv next to the stack)', LOCALIZE_FLAGS.flags.filter((f) => f.name === 'all-fits')],
  ...LOCALIZE_FLAGS.sections.filter(([heading]) => LOCALIZE_SECTIONS.some((s) => heading.startsWith(s))).map(([heading, flags]) => [heading, flags.filter((f) => !LEFT_OUT.has(f.name))] as const),
];

/** Names of the localize flags `view` takes. */
const LOCALIZE_NAMES = new Set(VIEW_LOCALIZE_FLAGS.flatMap(([, flags]) => flags.map((f) => f.name)));

/** localize's sections whose flags change neither the camera, nor detection, nor the background. */
const FIT_ONLY_SECTIONS = ['Fit', 'Crowded spots', 'Running'];

/** The flags whose value is a file: from the page, a path under the root. */
const FILE_FLAGS = new Set(['calibration', 'offset-map', 'variance-map', 'gain-map']);

export const VIEW_FLAGS = new FlagTable([
  ['Server', [
    { name: 'port', value: 'N', help: 'the port on 127.0.0.1 (the server never listens on the network)', default: 'any free port' },
    { name: 'no-open', help: 'do not open the browser (the address is the first line on stdout)' },
  ]],
  ...VIEW_LOCALIZE_FLAGS,
]);

/** The command's flags, for the command line's table of commands (and docs/cli.md). */
export const flags = VIEW_FLAGS;

export const help = `smlm-stream view [PATH] [options]

A local web page to open a stack, tune detection on its frames, run it and watch the image form.
The server listens on 127.0.0.1 only and prints http://127.0.0.1:PORT/?token=TOKEN as its first
line on stdout (a random 128-bit token: every request without it is refused with 403), then opens
the browser. PATH (default: the working folder) is a stack (a TIFF, a Micro-Manager series, a
folder of TIFFs, read as localize reads it: opened at once), a localization CSV, or a folder to
choose from; the server reads no file outside it (no '..', no absolute path, no symbolic link
out). The localize flags given here are the page's starting settings; the page's preview and run
use localize's code with them, and a run writes the CSV and sidecar localize STACK would write.
With --follow, the page follows a stack still being written, and a run keeps going as frames
arrive. Ctrl-C stops the server (a run is cancelled, its rows kept) and exits 0.

${VIEW_FLAGS.help()}`;

export const optionFlags = VIEW_FLAGS.optionFlags;
export const valueFlags = VIEW_FLAGS.valueFlags;

/**
 * Flags as the page and the server hold them (name → value, '' for a switch) as arguments for
 * localize's parser; a name `view` does not take is refused.
 */
function argvOf(values: FlagValues): string[] {
  const argv: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (!LOCALIZE_NAMES.has(name)) throw new UsageError(`--${name} is not a flag of smlm-stream view (see smlm-stream view --help)`);
    const flag = LOCALIZE_FLAGS.flags.find((f) => f.name === name) as Flag;
    if (flag.value === undefined) {
      if (value === '' || value === 'true') argv.push(`--${name}`);
      else if (value !== 'false') throw new UsageError(`--${name} is a switch: true or false, got '${value}'`);
    } else {
      argv.push(`--${name}`, value);
    }
  }
  return argv;
}

/** localize's parser, for the server: the same flag table, the same messages. */
async function parseWithLocalize(values: FlagValues): Promise<ParsedLocalize> {
  const argv = argvOf(values);
  const parsed = LOCALIZE_FLAGS.parse(argv);
  const { options, frames } = await parseLocalizeFlags(parsed);
  const workers = parsed.text('workers');
  return {
    options,
    frames,
    includeAllFits: parsed.on('all-fits'),
    workers: workers === undefined ? undefined : parseNumber(workers, '--workers', { integer: true, min: 1 }),
    inputs: otherInputs(parsed.text),
  };
}

/** What the server uses of localize's command line. */
export const VIEW_LOCALIZE: LocalizeFlags = {
  async parse(values) {
    try {
      return await parseWithLocalize(values);
    } catch (error) {
      throw new HttpError(400, describeError(error, LOCALIZE_FLAGS.optionFlags, [], LOCALIZE_FLAGS.valueFlags).message);
    }
  },
  outputOf: defaultOutputOf,
  describe: (error) => describeError(error, LOCALIZE_FLAGS.optionFlags, [], LOCALIZE_FLAGS.valueFlags).message,
  defaults: Object.fromEntries(VIEW_LOCALIZE_FLAGS.flatMap(([, flags]) => flags.filter((f) => f.default !== undefined).map((f) => [f.name, f.default as string]))),
  fileFlags: FILE_FLAGS,
  fitOnlyFlags: new Set(['all-fits', ...VIEW_LOCALIZE_FLAGS.filter(([heading]) => FIT_ONLY_SECTIONS.some((s) => heading.startsWith(s))).flatMap(([, flags]) => flags.map((f) => f.name))]),
};

/** One line on stderr, through printable. */
function say(line: string): void {
  process.stderr.write(`smlm-stream: ${printable(line, Infinity)}\n`);
}

/**
 * Open the page in the default browser (xdg-open, open, start); a failure is only a note. The
 * browser is given a file, not the address: a command line is readable by every local user
 * (`ps`, /proc/PID/cmdline), and the address holds the token. The file (mode 0600, in a
 * folder of mode 0700) sends the browser on to the address.
 * @returns remove the file (at exit)
 */
function openBrowser(url: string): () => void {
  const attribute = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const page = `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${attribute}"><title>smlm-stream view</title></head>\n<body><p>Opening <a href="${attribute}">smlm-stream view</a>…</p></body></html>\n`;
  let folder: string;
  try {
    folder = mkdtempSync(join(tmpdir(), 'smlm-stream-view-open-')); // mode 0700
  } catch (error) {
    say(`could not write the file that opens the browser (${(error as Error).message}): open the address above`);
    return () => undefined;
  }
  const remove = () => rmSync(folder, { recursive: true, force: true });
  const file = join(folder, 'open.html');
  try {
    writeFileSync(file, page, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    remove();
    say(`could not write ${file} (${(error as Error).message}): open the address above`);
    return () => undefined;
  }
  const [command, args] = process.platform === 'darwin' ? ['open', [file]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', file]] : ['xdg-open', [file]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', () => say(`could not open a browser (${command}): open the address above`));
    child.unref();
  } catch {
    say(`could not open a browser (${command}): open the address above`);
  }
  return remove;
}

/**
 * `smlm-stream view`: start the server, print its address (the first stdout line), open the
 * browser, and serve until SIGINT (Ctrl-C), SIGTERM or SIGHUP: then cancel a run (its rows
 * kept), close, and exit 0. A second signal quits at once.
 * @param argv - arguments after the subcommand
 * @param out - stdout lines
 * @returns exit code
 */
export async function run(argv: string[], out: (line: string) => void): Promise<number> {
  const parsed = VIEW_FLAGS.parse(argv);
  if (parsed.positionals.length > 1) throw new UsageError(`view takes one PATH (a stack, a CSV or a folder), got ${parsed.positionals.length}`);
  const path = parsed.positionals[0] ?? '.';
  const portText = parsed.text('port');
  const port = portText === undefined ? 0 : parseNumber(portText, '--port', { integer: true, min: 0, max: 65535 });
  const localizeFlags: Record<string, string> = {};
  for (const name of LOCALIZE_NAMES) {
    const value = parsed.values[name];
    if (typeof value === 'string') localizeFlags[name] = value;
    else if (value === true) localizeFlags[name] = '';
  }
  await parseWithLocalize(localizeFlags); // a bad flag is refused here, exit 2, as localize refuses it
  const session = new ViewSession({ path, flags: localizeFlags, follow: parsed.on('follow'), localize: VIEW_LOCALIZE, tables: VIEW_TABLE_COMMANDS });
  const server = await startViewServer(session, port);
  try {
    await session.openStart();
  } catch (error) {
    say(`${path}: not opened: ${describeError(error, LOCALIZE_FLAGS.optionFlags).message}`);
  }
  out(server.url);
  const removeOpener = parsed.on('no-open') ? undefined : openBrowser(server.url);
  if (removeOpener) process.once('exit', removeOpener); // a second signal exits at once
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let stopping = false;
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        say(`${signal} again: quitting now`);
        process.exit(EXIT.failed);
      }
      stopping = true;
      say(`${signal}: stopping the server`);
      for (const s of signals) process.off(s, onSignal);
      for (const s of signals) process.on(s, () => process.exit(EXIT.failed));
      resolve();
    };
    for (const s of signals) process.on(s, onSignal);
  });
  await server.close();
  removeOpener?.();
  return EXIT.ok;
}
