import type { JsonRecord } from './readRunRecord.js';
import { asRecord } from './readRunRecord.js';
import type { ReportContent, ReportSection } from './ReportContent.js';
import { notComputed } from './ReportContent.js';

/** Text as HTML (element content and quoted attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A number for a reader: 3 significant digits (integers whole, with thousands separators). */
function num(value: unknown, digits = 3): string {
  if (typeof value !== 'number') return value === undefined || value === null ? '—' : escapeHtml(String(value));
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return String(Number(value.toPrecision(digits)));
}

/** `value ± sd`, each to 3 significant digits. */
function pm(value: unknown, sd: unknown, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  if (typeof sd === 'number' && !Number.isFinite(sd)) return `${num(value)}${u} (its standard error could not be had)`;
  return typeof sd === 'number' ? `${num(value)} ± ${num(sd)}${u}` : `${num(value)}${u}`;
}

/** A `<section>` with its id, test id and heading. */
function section(id: ReportSection, heading: string, body: string): string {
  return `<section id="${id}" data-testid="${id}">\n<h2>${escapeHtml(heading)}</h2>\n${body}\n</section>`;
}

/** A two-column table of label and (already escaped) value rows. */
function table(rows: readonly (readonly [string, string])[], testid?: string): string {
  const body = rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n');
  return `<table class="kv"${testid ? ` data-testid="${testid}"` : ''}>\n${body}\n</table>`;
}

/** A paragraph saying why a result is not shown. */
function missing(reason: string): string {
  return `<p class="missing" data-testid="not-computed">Not computed: ${escapeHtml(reason)}</p>`;
}

/** Any JSON value as nested tables (objects), lists (arrays of scalars, joined) or text. */
function jsonHtml(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return escapeHtml(value.map((v) => (typeof v === 'number' ? num(v, 6) : String(v))).join(', ')) || '—';
    return value.map((v) => jsonHtml(v)).join('<br>');
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as JsonRecord).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '—';
    return table(entries.map(([k, v]) => [k, jsonHtml(v)]));
  }
  return typeof value === 'number' ? num(value, 6) : escapeHtml(String(value));
}

/** Base64 of bytes (for a data: URI). */
function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The page's style: no external CSS, no script. */
const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table.kv { border-collapse: collapse; font-size: .9em; } table.kv th { text-align: left; font-weight: 600; white-space: nowrap; padding: 2px 12px 2px 0; vertical-align: top; }
table.kv td { padding: 2px 0; vertical-align: top; } table.kv table.kv { font-size: 1em; }
.image { position: relative; display: inline-block; background: #000; line-height: 0; max-width: 100%; }
.image img { max-width: 100%; image-rendering: pixelated; }
.scalebar { position: absolute; right: 3%; bottom: 3%; height: 6px; background: #fff; }
.scalebar span { position: absolute; bottom: 10px; left: 50%; transform: translateX(-50%); color: #fff; font: 600 14px system-ui, sans-serif; line-height: 1; white-space: nowrap; }
.grid { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0 0 1em 0; } figcaption { font-size: .85em; color: #444; }
.missing { color: #8a4b00; background: #fff6e5; padding: .5em .8em; border-left: 3px solid #e0a030; }
.warning { color: #8a0000; }
`;

/** The summary: what was run on what, and what came out. */
function summarySection(c: ReportContent): string {
  const run = c.run ?? {};
  const input = asRecord(run.input);
  const counts = asRecord(run.counts);
  const rows: [string, string][] = [
    ['stack', escapeHtml(String(input.path ?? '—'))],
    ['record', escapeHtml(c.recordPath)],
    ['table', `${escapeHtml(c.table)}${c.merged ? ' (merged: one row per molecule)' : ''}`],
    ['localizations in the table', num(c.rows)],
    ['frames', num(counts.frames)],
    ['complete', run.complete === undefined ? '—' : run.complete ? 'yes' : `no${run.stopReason ? ` (${escapeHtml(String(run.stopReason))})` : ''}`],
  ];
  if (run.error) rows.push(['error', `<span class="warning">${escapeHtml(String(run.error))}</span>`]);
  if (c.skippedRows) rows.push(['rows left out', `<span class="warning">${escapeHtml(c.skippedRows)}</span>`]);
  for (const s of c.steps) rows.push([`step: ${s.step}`, `${escapeHtml(s.output)}${s.seconds === undefined ? '' : ` (${num(s.seconds)} s)`}`]);
  rows.push(['run', `${escapeHtml(String(run.started ?? '—'))} to ${escapeHtml(String(run.finished ?? '—'))}`]);
  return section('summary', 'Run', table(rows));
}

/** The super-resolution image with its scale bar (a CSS bar over the PNG, sized in % of the image's width). */
function imageSection(c: ReportContent): string {
  const im = c.image;
  const barPercent = (100 * im.scaleBar.lengthNm) / (im.width * im.pixelNm);
  const bar = `<div class="scalebar" data-testid="scale-bar" data-length-nm="${im.scaleBar.lengthNm}" style="width: ${barPercent.toFixed(3)}%"><span>${escapeHtml(im.scaleBar.label)}</span></div>`;
  const img = `<img src="data:image/png;base64,${base64(im.png)}" width="${im.width}" height="${im.height}" alt="super-resolution image, ${im.width}×${im.height} px of ${num(im.pixelNm)} nm">`;
  const caption = `${num(im.drawn)} of ${num(c.rows)} localizations drawn (${escapeHtml(im.mode)}), ${im.width}×${im.height} px of ${num(im.pixelNm)} nm; scale bar ${escapeHtml(im.scaleBar.label)}.`;
  return section('image', 'Super-resolution image', `<figure><div class="image">${img}${bar}</div><figcaption>${caption}</figcaption></figure>`);
}

/** Localizations per frame. */
function framesSection(c: ReportContent): string {
  const f = c.frames.counts;
  const caption = `Frames ${num(f.firstFrame)} to ${num(f.lastFrame)}; mean ${num(c.rows / (f.lastFrame - f.firstFrame + 1))} localizations per frame${f.blockFrames > 1 ? `, each point the mean of ${num(f.blockFrames)} frames` : ''}.`;
  return section('per-frame', 'Localizations per frame', `<figure class="plot">${c.frames.svg}<figcaption>${caption}</figcaption></figure>`);
}

/** The histograms of the fitted values. */
function histogramsSection(c: ReportContent): string {
  const figures = c.histograms.map(({ histogram: h, unit, svg }) => {
    const outside = h.below + h.above;
    const caption = `median ${num(h.median)} ${escapeHtml(unit)} of ${num(h.values)} values${outside ? `; ${num(h.below)} below and ${num(h.above)} above the range drawn` : ''}`;
    return `<figure class="plot" data-column="${escapeHtml(h.header)}" data-median="${h.median}" data-values="${h.values}">${svg}<figcaption>${caption}</figcaption></figure>`;
  });
  return section('histograms', 'Histograms', `<div class="grid">\n${figures.join('\n')}\n</div>`);
}

/** The drift trajectory, when the run corrected drift. */
function driftSection(c: ReportContent): string {
  const d = c.drift;
  if (d === undefined) return section('drift', 'Drift', '<p>The run corrected no drift (no drift step in the record; <code>smlm-stream drift</code> estimates and corrects it).</p>');
  if (notComputed(d)) return section('drift', 'Drift', missing(d.reason));
  const precision = d.precisionNm ? `; estimated precision ${num(d.precisionNm.x)} nm (x), ${num(d.precisionNm.y)} nm (y)` : '';
  const caption = `${escapeHtml(d.path)}: ${num(d.frames)} frames, largest drift ${num(d.maxAbsNm.x)} nm (x), ${num(d.maxAbsNm.y)} nm (y)${precision}.`;
  return section('drift', 'Drift', `<figure class="plot">${d.svg}<figcaption>${caption}</figcaption></figure>`);
}

/** NeNA's precision. */
function nenaSection(c: ReportContent): string {
  const n = c.nena;
  const heading = 'Localization precision (NeNA)';
  if (notComputed(n)) return section('nena', heading, missing(n.reason));
  const rows: [string, string][] = [
    ['NeNA precision', `<span data-testid="nena-nm" data-value="${n.precisionNm}">${pm(n.precisionNm, n.precisionSeNm, 'nm')}</span>`],
    ['pairs', num(n.pairs)],
  ];
  if (n.parameters) rows.push(['parameters', jsonHtml(n.parameters)]);
  return section('nena', heading, `${table(rows)}${n.svg ? `<figure class="plot">${n.svg}</figure>` : ''}`);
}

/** FRC's resolution and curve. */
function frcSection(c: ReportContent): string {
  const f = c.frc;
  const heading = 'Resolution (FRC)';
  if (notComputed(f)) return section('frc', heading, missing(f.reason));
  const rows: [string, string][] = [['FRC resolution (1/7)', `<span data-testid="frc-nm" data-value="${f.resolutionNm}">${pm(f.resolutionNm, f.resolutionSdNm, 'nm')}</span>`]];
  if (f.parameters) rows.push(['parameters', jsonHtml(f.parameters)]);
  return section('frc', heading, `${table(rows)}<figure class="plot">${f.svg}</figure>`);
}

/** One camera setting: the value used, where it came from, and what the data say. */
function cameraRow(camera: JsonRecord, key: string, sdKey: string | undefined, label: string, unit: string): [string, string] {
  const estimate = asRecord(camera.estimate);
  const given = Array.isArray(camera.given) ? (camera.given as unknown[]) : [];
  const estimated = camera.source === 'estimated' && !given.includes(key) && sdKey !== undefined && camera[sdKey] !== undefined;
  const used = estimated ? `${pm(camera[key], camera[sdKey as string], unit)} (estimated)` : `${num(camera[key])} ${unit} (given or default)`;
  const check = !estimated && sdKey && estimate[key] !== undefined ? `; the data say ${pm(estimate[key], estimate[sdKey], unit)}` : '';
  return [label, used + check];
}

/** The camera and PSF settings, given or estimated, with the data check. */
function cameraSection(c: ReportContent): string {
  const parameters = asRecord(c.run?.parameters);
  const camera = asRecord(parameters.camera);
  const input = asRecord(c.run?.input);
  if (!c.run) return section('camera', 'Camera and PSF', missing('the record has no localization run in its chain, so the settings are unknown'));
  const estimate = asRecord(camera.estimate);
  const rows: [string, string][] = [
    ['camera settings', camera.source === 'estimated' ? 'estimated from the data (values given kept)' : 'given (and the defaults)'],
    ['pixel size', `${num(camera.pixelSizeNm)} nm${input.pixelSizeSource ? ` (${escapeHtml(String(input.pixelSizeSource))})` : ''}`],
    cameraRow(camera, 'baselineAdu', 'baselineSdAdu', 'baseline', 'ADU'),
    cameraRow(camera, 'photonsPerAdu', 'photonsPerAduSd', 'photons per ADU', 'e⁻/ADU'),
    cameraRow(camera, 'readNoiseElectrons', 'readNoiseSdElectrons', 'read noise', 'e⁻'),
    ['EM gain', num(camera.emGain)],
    ['quantum efficiency', num(camera.qe)],
    ['saturation', `${num(camera.saturationAdu)} ADU`],
  ];
  if (camera.photonCounts) rows.push(['photon counts', escapeHtml(String(camera.photonCounts))]);
  if (camera.maps) rows.push(['sCMOS maps', jsonHtml(camera.maps)]);
  if (estimate.method) rows.push(['estimate', `${escapeHtml(String(estimate.method))} (${num(estimate.frames)} frames, ${num(estimate.pixelsUsed)} pixels)`]);
  if (camera.estimateSkipped) rows.push(['estimate', `skipped: ${escapeHtml(String(camera.estimateSkipped))}`]);
  const warnings = Array.isArray(estimate.warnings) ? (estimate.warnings as unknown[]) : [];
  rows.push(['data check', warnings.length ? warnings.map((w) => `<span class="warning">${escapeHtml(String(w))}</span>`).join('<br>') : estimate.method ? 'no warning' : 'not run']);
  const psf = asRecord(parameters.psfSigma);
  const measured = asRecord(psf.measured);
  const psfRows: [string, string][] = [
    ['PSF σ', `${num(psf.sigmaNm ?? parameters.psfSigmaNm)} nm (${escapeHtml(String(psf.source ?? 'given'))})`],
  ];
  const how = measured.method === 'spectrum' ? `from the power spectrum of frame differences (the ${num(measured.spots)} isolated spots' fits spread ${num(measured.sdNm)} nm: blends)` : `the median of ${num(measured.spots)} spots (spread ${num(measured.sdNm)} nm)`;
  if (measured.sigmaNm !== undefined) psfRows.push(['PSF σ measured', `${pm(measured.sigmaNm, measured.seNm, 'nm')}, ${how}`]);
  const fit = asRecord(parameters.fit);
  psfRows.push(['fitting window', `${num(fit.box)} px${fit.fitSigma ? ', σ fitted' : ''}`]);
  if (parameters.astigmatism) psfRows.push(['3-D calibration (astigmatic)', jsonHtml(parameters.astigmatism)]);
  if (parameters.spline) psfRows.push(['3-D calibration (spline)', jsonHtml(parameters.spline)]);
  return section('camera', 'Camera and PSF', `${table(rows, 'camera-table')}\n<h3>PSF</h3>\n${table(psfRows, 'psf-table')}`);
}

/** The resolved parameters of the run and of each step after it. */
function parametersSection(c: ReportContent): string {
  const parameters = { ...asRecord(c.run?.parameters) };
  delete parameters.camera;
  delete parameters.psfSigma;
  const steps = c.steps.map((s) => `<h3>${escapeHtml(s.step)}</h3>\n${jsonHtml({ ...s.parameters, results: s.results })}`).join('\n');
  return section('parameters', 'Parameters', `<h3>localize</h3>\n${jsonHtml({ engines: c.run?.engines, ...parameters })}\n${steps}`);
}

/** Software versions, counts and timings. */
function timingSection(c: ReportContent): string {
  const run = c.run ?? {};
  const software = asRecord(run.software);
  const rows: [string, string][] = [
    ['run by', `${escapeHtml(String(software.name ?? 'smlm-stream'))} ${escapeHtml(String(software.version ?? '—'))}`],
    ['report by', `smlm-stream ${escapeHtml(c.reportedBy.version)} on ${escapeHtml(c.reportedBy.runtime)}, ${escapeHtml(c.reportedBy.made)} (${num(c.reportedBy.seconds)} s)`],
    ['timing (s)', jsonHtml(run.timing)],
    ['counts', jsonHtml(run.counts)],
  ];
  return section('timing', 'Versions, counts and timings', table(rows, 'timing-table'));
}

/**
 * The report page: one self-contained HTML file (the image inlined as a data: URI, the plots as
 * inline SVG, the style inline; no script, nothing fetched), a section each (ids in
 * {@link REPORT_SECTIONS}).
 * @param c - the report's content
 * @returns the HTML text
 */
export function buildReportHtml(c: ReportContent): string {
  const input = asRecord(c.run?.input);
  const title = `smlm-stream report: ${String(input.path ?? c.table)}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${[summarySection(c), imageSection(c), framesSection(c), histogramsSection(c), driftSection(c), nenaSection(c), frcSection(c), cameraSection(c), parametersSection(c), timingSection(c)].join('\n')}
</body>
</html>
`;
}
