/**
 * `smlm-stream view` without --no-open: the browser is given a file (mode 0600 in a folder of
 * mode 0700) that sends it on to the address, never the address with its token (a command line
 * is readable by every local user). A stand-in xdg-open records what it was given.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeSimulation } from '../../src/simulate/writeSimulation.js';
import { CLI_JS } from './viewProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-open-test-'));
let child: ChildProcess | undefined;
after(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

test('the browser is given a private redirect file, not the token; the file is removed at exit', { skip: process.platform !== 'linux' && 'xdg-open is used on Linux only' }, async () => {
  writeSimulation(join(dir, 's.tif'), join(dir, 's.truth.csv'), { width: 32, height: 32, frames: 5, density: 1, seed: 2 });
  const bin = join(dir, 'bin');
  const log = join(dir, 'xdg-open.log');
  // The stand-in: its arguments, the file's and its folder's modes, the file's text.
  const script = `#!/bin/sh\n{ printf '%s\\n' "$@"; stat -c %a "$1"; stat -c %a "$(dirname "$1")"; cat "$1"; } > "${log}.tmp" 2>&1; mv "${log}.tmp" "${log}"\n`;
  mkdirSync(bin);
  writeFileSync(join(bin, 'xdg-open'), script);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const view = spawn(process.execPath, [CLI_JS, 'view', join(dir, 's.tif')], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = view;
  let out = '';
  let err = '';
  view.stdout.on('data', (d: Buffer) => (out += d.toString()));
  view.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => view.once('exit', resolve));
  for (let k = 0; k < 400 && !existsSync(log); k++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(existsSync(log), `xdg-open was not run; stderr: ${err}`);
  const url = out.split('\n')[0];
  const token = new URL(url).searchParams.get('token') ?? '';
  assert.match(token, /^[0-9a-f]{32}$/, 'the first stdout line still has the address with its token');
  const [file, fileMode, folderMode, ...html] = readFileSync(log, 'utf8').split('\n');
  assert.ok(!file.includes(token), `the command line has no token: ${file}`);
  assert.match(file, /\.html$/, 'a file is opened');
  assert.equal(fileMode, '600', 'the file: read and write by its owner only');
  assert.equal(folderMode, '700', 'its folder: its owner only');
  assert.ok(html.join('\n').includes(`content="0;url=${url}"`), 'the file sends the browser to the address');
  assert.ok(existsSync(file), 'the file is there while the server runs');
  view.kill('SIGINT');
  assert.equal(await exited, 0, err);
  assert.equal(existsSync(file), false, 'the file is removed at exit');
});
