/** One line of a {@link linePlot}. */
export interface PlotSeries {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly color: string;
  /** Drawn dashed (a threshold). */
  readonly dashed?: boolean;
  readonly label: string;
}

/** Room for the axis labels, CSS px. */
const MARGIN = { left: 44, right: 8, top: 16, bottom: 22 } as const;

/**
 * A small line plot on a canvas (the drift trajectory, the FRC curve): the series scaled to
 * their common range (non-finite points skipped), the axes' ends labelled, the series named.
 * The canvas's pixels follow its CSS box × devicePixelRatio.
 * @param canvas - where to draw
 * @param series - the lines
 * @param axes - the axes' names with their units
 */
export function linePlot(canvas: HTMLCanvasElement, series: readonly PlotSeries[], axes: { readonly x: string; readonly y: string }): void {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, canvas.clientWidth || 300);
  const height = Math.max(1, canvas.clientHeight || 120);
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const g = canvas.getContext('2d');
  if (g === null) return;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.fillStyle = '#12151a';
  g.fillRect(0, 0, width, height);
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.x[i]) || !Number.isFinite(s.y[i])) continue;
      x0 = Math.min(x0, s.x[i]);
      x1 = Math.max(x1, s.x[i]);
      y0 = Math.min(y0, s.y[i]);
      y1 = Math.max(y1, s.y[i]);
    }
  }
  if (!(x1 >= x0 && y1 >= y0)) return;
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= 1;
    y1 += 1;
  }
  const w = width - MARGIN.left - MARGIN.right;
  const h = height - MARGIN.top - MARGIN.bottom;
  const px = (v: number) => MARGIN.left + ((v - x0) / (x1 - x0)) * w;
  const py = (v: number) => MARGIN.top + (1 - (v - y0) / (y1 - y0)) * h;
  g.strokeStyle = '#3a414d';
  g.lineWidth = 1;
  g.strokeRect(MARGIN.left, MARGIN.top, w, h);
  g.fillStyle = '#aab2bf';
  g.font = '10px sans-serif';
  g.textAlign = 'right';
  g.fillText(round(y1), MARGIN.left - 3, MARGIN.top + 8);
  g.fillText(round(y0), MARGIN.left - 3, MARGIN.top + h);
  g.textAlign = 'left';
  g.fillText(round(x0), MARGIN.left, height - 6);
  g.textAlign = 'right';
  g.fillText(round(x1), MARGIN.left + w, height - 6);
  g.textAlign = 'center';
  g.fillText(axes.x, MARGIN.left + w / 2, height - 6);
  g.textAlign = 'left';
  g.fillText(axes.y, 4, 11);
  let legend = MARGIN.left + 60;
  for (const s of series) {
    g.strokeStyle = s.color;
    g.setLineDash(s.dashed ? [4, 3] : []);
    g.lineWidth = 1.5;
    g.beginPath();
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      if (!Number.isFinite(s.x[i]) || !Number.isFinite(s.y[i])) {
        pen = false;
        continue;
      }
      if (pen) g.lineTo(px(s.x[i]), py(s.y[i]));
      else g.moveTo(px(s.x[i]), py(s.y[i]));
      pen = true;
    }
    g.stroke();
    g.fillStyle = s.color;
    g.fillText(s.label, legend, 11);
    legend += g.measureText(s.label).width + 12;
  }
  g.setLineDash([]);
}

/** An axis end as a short number. */
function round(v: number): string {
  return Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2);
}
