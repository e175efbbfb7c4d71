import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statfsSync, writeFileSync } from 'node:fs';

/** A folder where writes fail, and how they fail. */
export interface FullFolder {
  /** The folder. */
  readonly path: string;
  /** True: a full file system (ENOSPC once `roomBytes` are used); false: a read-only folder (EACCES). */
  readonly full: boolean;
  /** The cause a failed write there is reported with. */
  readonly cause: string;
  /** Unmount (or make writable again); the folder stays, empty of the tmpfs. */
  release(): void;
}

/** tmpfs counts whole pages. */
const PAGE_BYTES = 4096;

/**
 * A folder on a full disk, as a real file system answers (short writes, then ENOSPC at any
 * write, flush or close): a tmpfs mounted there (which needs root), filled with a filler file
 * until only `roomBytes` are free. Where no tmpfs can be mounted (not root), a read-only folder
 * instead, where every write is refused with EACCES. {@link fullDisk} is the in-process form.
 * @param path - the folder to create (inside a test's temporary folder)
 * @param options - `prepare` puts files there first (earlier outputs); `roomBytes` stay free @default 0
 */
export function fullFolder(path: string, options: { roomBytes?: number; prepare?: (folder: string) => void } = {}): FullFolder {
  mkdirSync(path);
  const room = options.roomBytes ?? 0;
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', path], { encoding: 'utf8' });
  if (mounted.status === 0) {
    options.prepare?.(path);
    const free = statfsSync(path);
    const filler = free.bavail * free.bsize - Math.ceil(room / PAGE_BYTES) * PAGE_BYTES;
    if (filler > 0) writeFileSync(`${path}/.filler`, Buffer.alloc(filler));
    return { path, full: true, cause: 'no space left on the device (ENOSPC)', release: () => void spawnSync('umount', [path]) };
  }
  if (process.getuid?.() === 0) throw new Error(`cannot simulate a full disk: root, but mounting a tmpfs failed (${mounted.stderr.trim()})`);
  options.prepare?.(path);
  chmodSync(path, 0o555);
  return { path, full: false, cause: 'permission denied (EACCES)', release: () => chmodSync(path, 0o755) };
}
