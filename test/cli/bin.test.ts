import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

test('the package bin smlm-stream exists, is executable, and answers --version and --help', () => {
  const bin = join(root, pkg.bin['smlm-stream']);
  accessSync(bin, constants.X_OK);
  assert.match(readFileSync(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  // Run as npm would link it: the file itself, by its shebang.
  assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), pkg.version);
  assert.match(execFileSync(bin, ['--help'], { encoding: 'utf8' }), /localize/);
});
