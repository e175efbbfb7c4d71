/**
 * `smlm-stream view`'s export at the HTTP level: a file name in any script (an ASCII fallback
 * and `filename*=UTF-8''…`, where a non-Latin-1 name threw before), and an aborted download
 * (its temporary file removed, where it was left before).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startView } from './viewProcess.js';
import type { ViewProcess } from './viewProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'smlm-view-export-'));
const temp = join(dir, 'tmp');
const data = join(dir, 'data');
mkdirSync(temp);
mkdirSync(data);
const views: ViewProcess[] = [];
after(async () => {
  for (const v of views) await v.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The view's own temporary folders (it runs with TMPDIR=temp). */
const exports = () => readdirSync(temp).filter((n) => n.startsWith('smlm-stream-view-'));

test("a CSV named in another script downloads with its name (ASCII fallback and filename*=UTF-8''…)", async () => {
  const name = '細胞 "1".csv';
  writeFileSync(join(data, name), 'id,frame,x [nm],y [nm]\n1,1,10.5,20.25\n2,2,30,40\n');
  const view = await startView([join(data, name)]);
  views.push(view);
  const r = await view.api('/api/export?format=csv');
  assert.equal(r.status, 200, await r.clone().text());
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="__ _1_.csv"; filename*=UTF-8''${encodeURIComponent('細胞 "1".csv')}`);
  assert.match(await r.text(), /\n1,1,10\.50,20\.25\n/, 'the rows');
});

test('an aborted download closes the file and removes the temporary file', async () => {
  // 300 000 rows (~9 MB): far more than the sockets buffer, so the download is cut mid-way.
  const rows = ['id,frame,x [nm],y [nm]'];
  for (let k = 1; k <= 300_000; k++) rows.push(`${k},${1 + (k % 500)},${(k * 7) % 5000}.25,${(k * 13) % 5000}.5`);
  writeFileSync(join(data, 'big.csv'), `${rows.join('\n')}\n`);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = temp;
  let view: ViewProcess;
  try {
    view = await startView([join(data, 'big.csv')]);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  views.push(view);
  const stop = new AbortController();
  const r = await view.api('/api/export?format=csv', { signal: stop.signal });
  assert.equal(r.status, 200);
  const reader = (r.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  assert.equal(exports().length, 1, 'the temporary file while the download goes on');
  stop.abort();
  for (let k = 0; k < 100 && exports().length > 0; k++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(exports(), [], 'removed within 5 s of the abort');
  const again = await view.api('/api/state');
  assert.equal(again.status, 200, 'the server still answers');
});
