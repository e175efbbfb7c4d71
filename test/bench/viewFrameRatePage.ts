/**
 * The page script of test/bench/viewFrameRate.ts (bundled by esbuild): synthetic localizations,
 * a scripted pan and zoom timed with requestAnimationFrame, and, for comparison, WebGL point
 * splats with additive blending into a float texture (the other design the issue names).
 */
import { LOC_RECORD_LENGTH } from '../../src/view/protocol.js';
import { ReconstructionView } from '../../src/view/client/reconstruction/ReconstructionView.js';

/** Frame intervals summarized: frames per second over the gesture, median and 95th percentile interval, ms. */
interface FrameTimes {
  fps: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  frames: number;
}

function summarize(stamps: number[]): FrameTimes {
  const gaps = stamps.slice(1).map((t, k) => t - stamps[k]).sort((a, b) => a - b);
  const at = (p: number) => gaps[Math.min(gaps.length - 1, Math.floor(p * gaps.length))];
  return { fps: (1000 * gaps.length) / (stamps[stamps.length - 1] - stamps[0]), medianMs: at(0.5), p95Ms: at(0.95), maxMs: gaps[gaps.length - 1], frames: gaps.length };
}

/**
 * n localizations on 40 random filaments (σ 15 nm about each line) over a 25.6 µm field, seeded:
 * z from −400 to 400 nm along each filament, frames 0–9999, photons, uncertainty, σ plausible.
 */
function filaments(n: number, fieldNm: number): Float32Array {
  let s = 12345;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lines = Array.from({ length: 40 }, () => [rand() * fieldNm, rand() * fieldNm, rand() * fieldNm, rand() * fieldNm]);
  const out = new Float32Array(n * LOC_RECORD_LENGTH);
  for (let i = 0; i < n; i++) {
    const [x0, y0, x1, y1] = lines[i % lines.length];
    const t = rand();
    const b = i * LOC_RECORD_LENGTH;
    out[b] = x0 + t * (x1 - x0) + 15 * gauss();
    out[b + 1] = y0 + t * (y1 - y0) + 15 * gauss();
    out[b + 2] = -400 + 800 * t;
    out[b + 3] = Math.floor(rand() * 10000);
    out[b + 4] = 300 + 3000 * rand() * rand();
    out[b + 5] = 10 + 20 * rand();
    out[b + 6] = 5 + 25 * rand();
    out[b + 7] = 100 + 40 * rand();
  }
  return out;
}

/** Run `step(k)` in each animation frame for `ms` and give the frame times. */
function timedFrames(ms: number, step: (k: number) => void): Promise<FrameTimes> {
  return new Promise((resolve) => {
    const stamps: number[] = [];
    const frame = (now: number) => {
      stamps.push(now);
      if (now - stamps[0] >= ms) resolve(summarize(stamps));
      else {
        step(stamps.length);
        requestAnimationFrame(frame);
      }
    };
    requestAnimationFrame(frame);
  });
}

/**
 * The measurement with the ReconstructionView: n localizations appended in batches of 10⁴ (as a
 * run sends them), then a 3 s drag (panBy each frame, as pointermove does), a 3 s wheel zoom (a
 * WheelEvent dispatched each frame), and the time the image takes to be whole again after each.
 */
async function measureView(n: number, colour: 'none' | 'z'): Promise<Record<string, unknown>> {
  const canvas = document.querySelector('canvas') as HTMLCanvasElement;
  const fieldNm = 25600;
  const view = new ReconstructionView(canvas, { widthNm: fieldNm, heightNm: fieldNm });
  const records = filaments(n, fieldNm);
  const batch = 10000 * LOC_RECORD_LENGTH;
  let t0 = performance.now();
  for (let at = 0; at < records.length; at += batch) view.append(records.subarray(at, at + batch));
  const appendMs = performance.now() - t0;
  view.setColor(colour);
  t0 = performance.now();
  await view.drawn();
  const firstImageMs = performance.now() - t0;
  const work = () => {
    const { frames, busyMs, maxMs } = view.frameStats;
    Object.assign(view.frameStats, { frames: 0, busyMs: 0, maxMs: 0 });
    return { meanMs: busyMs / Math.max(1, frames), maxMs };
  };
  work();
  const pan = { ...(await timedFrames(3000, (k) => view.panBy(k % 120 < 60 ? 4 : -4, 2 * Math.sin(k / 10)))), viewWork: work() };
  t0 = performance.now();
  await view.drawn();
  const panSettleMs = performance.now() - t0;
  const rect = canvas.getBoundingClientRect();
  work();
  const zoom = {
    ...(await timedFrames(3000, (k) =>
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: k % 90 < 45 ? -20 : 20, clientX: rect.left + rect.width * 0.4, clientY: rect.top + rect.height * 0.6, cancelable: true })),
    )),
    viewWork: work(),
  };
  t0 = performance.now();
  await view.drawn();
  const zoomSettleMs = performance.now() - t0;
  t0 = performance.now();
  const shown = view.setFilter('intensity > 1000 && uncertainty < 20');
  const filterMs = performance.now() - t0;
  view.setFilter('');
  t0 = performance.now();
  view.resetView();
  await view.drawn();
  const fullRedrawMs = performance.now() - t0;
  view.destroy();
  return { n, colour, appendMs, firstImageMs, pan, panSettleMs, zoom, zoomSettleMs, filterMs, filterShown: shown, fullRedrawMs };
}

/**
 * The WebGL alternative, measured alone: n points (x, y as a float vertex buffer) drawn each
 * frame as gl.POINTS of 1 px with additive blending into an RGBA32F texture the canvas's size,
 * then that texture drawn to the screen through a tone-mapping shader; the view moves every
 * frame (a uniform), as in a drag. No contrast percentile nor colour: a lower bound of its cost.
 */
async function measureWebgl(n: number): Promise<Record<string, unknown>> {
  const canvas = document.createElement('canvas');
  canvas.width = (document.querySelector('canvas') as HTMLCanvasElement).width;
  canvas.height = (document.querySelector('canvas') as HTMLCanvasElement).height;
  document.body.append(canvas);
  const gl = canvas.getContext('webgl2');
  if (gl === null) return { n, webgl: 'no WebGL2 context' };
  if (gl.getExtension('EXT_color_buffer_float') === null) return { n, webgl: 'no EXT_color_buffer_float' };
  gl.getExtension('EXT_float_blend');
  const compile = (vs: string, fs: string) => {
    const program = gl.createProgram()!;
    for (const [type, text] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]] as const) {
      const shader = gl.createShader(type)!;
      gl.shaderSource(shader, text);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader) ?? 'shader');
      gl.attachShader(program, shader);
    }
    gl.linkProgram(program);
    return program;
  };
  const splat = compile(
    '#version 300 es\nin vec2 p; uniform vec4 v; void main() { gl_Position = vec4((p - v.xy) * v.zw * vec2(2.0, -2.0) + vec2(-1.0, 1.0), 0.0, 1.0); gl_PointSize = 1.0; }',
    '#version 300 es\nprecision highp float; out vec4 o; void main() { o = vec4(1.0); }',
  );
  const show = compile(
    '#version 300 es\nin vec2 p; out vec2 uv; void main() { uv = p * 0.5 + 0.5; gl_Position = vec4(p, 0.0, 1.0); }',
    '#version 300 es\nprecision highp float; in vec2 uv; uniform sampler2D t; out vec4 o; void main() { float c = min(1.0, texture(t, uv).r / 4.0); o = vec4(min(1.0, 3.0 * c), clamp(3.0 * c - 1.0, 0.0, 1.0), clamp(3.0 * c - 2.0, 0.0, 1.0), 1.0); }',
  );
  const fieldNm = 25600;
  const records = filaments(n, fieldNm);
  const xy = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    xy[2 * i] = records[i * LOC_RECORD_LENGTH];
    xy[2 * i + 1] = records[i * LOC_RECORD_LENGTH + 1];
  }
  const points = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, points);
  gl.bufferData(gl.ARRAY_BUFFER, xy, gl.STATIC_DRAW);
  const quad = gl.createBuffer();
  gl.bindBuffer(gl.ARRAY_BUFFER, quad);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  const texture = gl.createTexture();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, canvas.width, canvas.height, 0, gl.RGBA, gl.FLOAT, null);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  const framebuffer = gl.createFramebuffer();
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  let nmPerPx = fieldNm / canvas.width;
  let x0 = 0;
  const draw = () => {
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.viewport(0, 0, canvas.width, canvas.height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE);
    gl.useProgram(splat);
    gl.uniform4f(gl.getUniformLocation(splat, 'v'), x0, 0, 1 / (nmPerPx * canvas.width), 1 / (nmPerPx * canvas.height));
    gl.bindBuffer(gl.ARRAY_BUFFER, points);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.drawArrays(gl.POINTS, 0, n);
    gl.disable(gl.BLEND);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.useProgram(show);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.bindBuffer(gl.ARRAY_BUFFER, quad);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  };
  draw();
  const pixel = new Uint8Array(4);
  let t0 = performance.now();
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
  const firstMs = performance.now() - t0;
  t0 = performance.now();
  for (let k = 0; k < 5; k++) draw();
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
  const drawMs = (performance.now() - t0) / 5;
  const pan = await timedFrames(3000, (k) => {
    x0 += (k % 120 < 60 ? 4 : -4) * nmPerPx;
    nmPerPx *= 1;
    draw();
  });
  canvas.remove();
  return { n, renderer: gl.getParameter(gl.RENDERER), version: gl.getParameter(gl.VERSION), firstMs, drawMs, pan };
}

(globalThis as unknown as { bench: unknown }).bench = { measureView, measureWebgl };
