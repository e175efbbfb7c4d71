// Loaded with `--import` into a worker process of the queue tests: on this "machine" the file named
// in SMLM_TEST_UNREADABLE cannot be read (as on a node whose mount of the shared storage is broken),
// while other workers read it. Only openSync is changed: the stack is found, then refused.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const target = process.env.SMLM_TEST_UNREADABLE;
const open = fs.openSync;
fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
  if (target !== undefined && String(path) === target) throw Object.assign(new Error(`EACCES: permission denied, open '${String(path)}'`), { code: 'EACCES' });
  return (open as (...a: unknown[]) => number)(path, ...rest);
}) as typeof fs.openSync;
syncBuiltinESMExports();
