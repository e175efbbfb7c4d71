import { realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** A path the server refuses: outside its root, absolute, with `..`, or a symlink out (HTTP 403). */
export class ForbiddenPathError extends Error {}

/** A path under the root that is not there (HTTP 404). */
export class MissingPathError extends Error {}

/**
 * The real path of `rel` under `root`, or an error: `smlm-stream view` reads only files under
 * the folder it was started on. Refused (ForbiddenPathError): an absolute path, a `..` part, a
 * NUL, a hidden part (a name starting with '.': `.ssh`, `.config`), and any path whose real
 * path (symlinks followed) leaves the root or has a hidden part.
 * @param root - the root's real path (realpathSync of the folder)
 * @param rel - a path relative to the root, `/`-separated ('' or '.' for the root)
 * @throws ForbiddenPathError, or MissingPathError when it does not exist
 */
export function resolveUnder(root: string, rel: string): string {
  if (typeof rel !== 'string') throw new ForbiddenPathError('the path must be a string');
  if (rel.includes('\0')) throw new ForbiddenPathError('a NUL in the path');
  if (isAbsolute(rel) || /^[a-zA-Z]:/.test(rel) || rel.startsWith('\\')) throw new ForbiddenPathError(`an absolute path is refused: paths are relative to ${root}`);
  if (rel.split(/[/\\]/).includes('..')) throw new ForbiddenPathError("'..' is refused: paths stay under the root");
  if (rel.split(/[/\\]/).some(isHidden)) throw new ForbiddenPathError(`${rel}: hidden files and folders (a name starting with '.') are refused`);
  let real: string;
  try {
    real = realpathSync(join(root, rel));
  } catch {
    throw new MissingPathError(`no such file under the root: ${rel}`);
  }
  if (!isUnder(root, real)) throw new ForbiddenPathError(`${rel} leads out of the root (a symbolic link)`);
  if (relative(root, real).split(sep).some(isHidden)) throw new ForbiddenPathError(`${rel} leads to a hidden file or folder (a symbolic link)`);
  return real;
}

/** Whether the real path `real` is the root or inside it. */
export function isUnder(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** A real path under the root as the page names it: relative, '/'-separated ('.' for the root). */
export function relativeTo(root: string, real: string): string {
  const rel = relative(root, real).split(sep).join('/');
  return rel === '' ? '.' : rel;
}

/** A hidden name: one that starts with '.' ('.' itself, the folder, is not). */
export function isHidden(name: string): boolean {
  return name.startsWith('.') && name !== '.';
}
