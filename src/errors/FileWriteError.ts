/** Descriptions of the system error codes a write can end with. */
const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error on the device',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EFBIG: 'file too large for the file system',
  ENOENT: 'its folder no longer exists',
  EISDIR: 'it is a folder',
};

/**
 * A file could not be written (disk full, I/O error, no permission): names the file and the
 * cause in words, with the system code. The CLI reports it on one line and exits with 1.
 */
export class FileWriteError extends Error {
  override readonly name = 'FileWriteError';
  /** The file being written. */
  readonly path: string;
  /** The system error code (ENOSPC, EIO, …), when there is one. */
  readonly code: string | undefined;

  /**
   * @param path - the file being written
   * @param cause - the error the write threw
   */
  constructor(path: string, cause: unknown) {
    const code = (cause as { code?: unknown } | null)?.code;
    const known = typeof code === 'string' ? CAUSES[code] : undefined;
    const text = known ? `${known} (${code})` : cause instanceof Error ? cause.message : String(cause);
    super(`could not write ${path}: ${text}`, { cause });
    this.path = path;
    this.code = typeof code === 'string' ? code : undefined;
  }
}
