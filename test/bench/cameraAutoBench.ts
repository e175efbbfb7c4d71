/**
 * Camera and PSF σ from the data (issue 25): `node --import tsx test/bench/cameraAutoBench.ts`
 * (after `npm run build`). Simulates an sCMOS-like, a CCD and an EMCCD stack (isolated spots,
 * and dense at σ 160 nm), localizes each with the right settings and with `--pixel-size` only,
 * and prints a Markdown row per run: Jaccard, lateral RMSE, the uncertainty calibration (RMS
 * reported uncertainty / RMS error of the matched localizations) and what was estimated. The
 * table in docs/guides/cameras.md ("Camera from the data") is its output.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateLocalizations } from '../../src/evaluate/evaluateLocalizations.js';
import { readPointTable } from '../../src/evaluate/PointTable.js';
const S = [join(import.meta.dirname, '../../dist/src/cli/smlm-stream.js')];
const D = join(tmpdir(), 'smlm-stream-camera-bench');
mkdirSync(D, { recursive: true });
const run = (args: string[]) => { const r = spawnSync(process.execPath, [...S, ...args], { encoding: 'utf8' }); if (r.status !== 0) throw new Error(r.stderr); return r; };
const cams: [string, string[], string[]][] = [
  ['sCMOS-like (100 ADU, 1 e/ADU, 1.5 e)', ['--baseline', '100', '--photons-per-adu', '1', '--read-noise', '1.5'], ['--baseline', '100', '--photons-per-adu', '1', '--read-noise', '1.5']],
  ['CCD (500 ADU, 0.5 e/ADU, 10 e)', ['--baseline', '500', '--photons-per-adu', '0.5', '--read-noise', '20'], ['--baseline', '500', '--photons-per-adu', '0.5', '--read-noise', '10']],
  ['EMCCD (gain 100, 500 ADU, 10 e/ADU, 30 e)', ['--baseline', '500', '--photons-per-adu', '10', '--read-noise', '3', '--em-gain', '100'], ['--baseline', '500', '--photons-per-adu', '10', '--read-noise', '30', '--em-gain', '100']],
];
const scenes: [string, string[]][] = [['isolated 0.15/µm², σ 130', ['--density', '0.15', '--min-separation', '1000', '--photons', '1500']], ['dense 1.0/µm², σ 160', ['--density', '1.0', '--psf-sigma', '160']]];
for (const [name, simArgs, right] of cams) for (const [scene, sceneArgs] of scenes) {
  const tag = `${name.split(' ')[0]}-${scene.split(' ')[0]}`;
  const stack = `${D}/${tag}.tif`;
  run(['simulate', stack, '--width', '128', '--height', '128', '--frames', '200', '--seed', '9', '--overwrite', '--quiet', ...simArgs, ...sceneArgs]);
  const sigma = sceneArgs.includes('160') ? '160' : '130';
  for (const [mode, args] of [['right', [...right, '--psf-sigma', sigma]], ['pixel size only', ['--pixel-size', '100']]] as [string, string[]][]) {
    const out = `${D}/${tag}.${mode === 'right' ? 'right' : 'auto'}.csv`;
    const r = run(['localize', stack, '-o', out, '--quiet', ...args]);
    const T = readPointTable(stack.replace('.tif', '.truth.csv'));
    const F = readPointTable(out);
    const { evaluation, pairs } = evaluateLocalizations(T, F);
    const ux = F.columns.get('uncertainty_x [nm]') as Float64Array; const uy = F.columns.get('uncertainty_y [nm]') as Float64Array;
    let e2 = 0, u2 = 0;
    for (let k = 0; k < pairs.found.length; k++) { const f = pairs.found[k], t = pairs.truth[k]; e2 += (F.x[f] - T.x[t]) ** 2 + (F.y[f] - T.y[t]) ** 2; u2 += ux[f] ** 2 + uy[f] ** 2; }
    const j = JSON.parse(readFileSync(out.replace('.csv', '.json'), 'utf8'));
    const c = j.parameters.camera, p = j.parameters.psfSigma;
    const est = c.source === 'estimated' ? `base ${c.baselineAdu.toFixed(1)}±${c.baselineSdAdu.toFixed(1)}, ${c.photonsPerAdu.toPrecision(3)}±${c.photonsPerAduSd.toPrecision(2)} e/ADU${c.effectiveGain ? ' (eff.)' : ''}, σ ${p.sigmaNm.toFixed(1)} nm (${p.source})` : `given; σ ${p.sigmaNm}`;
    console.log(`| ${name} | ${scene} | ${mode} | ${(100 * evaluation.jaccard).toFixed(2)} % | ${evaluation.rmseLateralNm.toFixed(2)} | ${Math.sqrt(u2 / e2).toFixed(3)} | ${est} | ${r.stderr.trim().replace(/\n/g, ' / ').slice(0, 200) || '—'} |`);
  }
}
