import type { ContrastRange } from './autoContrast.js';

/** A point on the frame, px from the image's top-left corner (pixel i spans [i, i+1)). */
export interface FramePoint {
  readonly xPx: number;
  readonly yPx: number;
}

/** What is drawn over the frame: the detector's candidates (circles) and the fits (crosses). */
export interface FrameOverlay {
  readonly candidates: readonly FramePoint[];
  readonly fits: readonly FramePoint[];
}

/** How the overlay looks: sizes in frame pixels, with a floor in screen pixels so they stay visible. */
export const OVERLAY_STYLE = {
  candidateRadiusPx: 2.5,
  candidateMinRadiusScreen: 6,
  candidateColor: '#ffd400',
  fitArmPx: 1,
  fitMinArmScreen: 4,
  fitColor: '#ff3b6b',
  lineWidthScreen: 1.5,
} as const;

/**
 * The camera frame on a canvas: grey levels from the contrast range (ADU), pixels drawn as
 * squares (no smoothing: a microscopist counts pixels), scaled to fit the canvas's box and
 * centred, with the candidates and fits overlaid. The canvas's backing store follows its CSS
 * size × devicePixelRatio, so lines stay sharp.
 */
export class FrameView {
  private readonly image = document.createElement('canvas');
  private pixels: Float32Array | undefined;
  private width = 0;
  private height = 0;
  private contrast: ContrastRange = { min: 0, max: 1 };
  private overlay: FrameOverlay | undefined;
  private readonly resize: ResizeObserver;
  /** The pending animation frame's id, 0 when none: changes between two frames are drawn once. */
  private frameRequest = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.resize = new ResizeObserver(() => this.requestDraw());
    this.resize.observe(canvas);
  }

  /** Resolves once the changes made so far are on the canvas (at the next animation frame). */
  drawn(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.requestDraw();
    });
  }

  /** Shows a frame: `pixels` row-major, `width` × `height`, ADU. The overlay is cleared. */
  setFrame(pixels: Float32Array, width: number, height: number): void {
    this.pixels = pixels;
    this.width = width;
    this.height = height;
    this.overlay = undefined;
    this.paintImage();
    this.requestDraw();
  }

  /** The display range, ADU: `min` black, `max` white. */
  setContrast(contrast: ContrastRange): void {
    this.contrast = contrast;
    this.paintImage();
    this.requestDraw();
  }

  /** Draws these candidates and fits over the frame (undefined: none). */
  setOverlay(overlay: FrameOverlay | undefined): void {
    this.overlay = overlay;
    this.requestDraw();
  }

  /** The frame's pixel under a point of the canvas (CSS px from its top-left), or undefined outside. */
  pixelAt(cssX: number, cssY: number): { column: number; row: number; valueAdu: number } | undefined {
    if (this.pixels === undefined) return undefined;
    const { scale, left, top } = this.layout(this.canvas.clientWidth, this.canvas.clientHeight);
    const column = Math.floor((cssX - left) / scale);
    const row = Math.floor((cssY - top) / scale);
    if (column < 0 || row < 0 || column >= this.width || row >= this.height) return undefined;
    return { column, row, valueAdu: this.pixels[row * this.width + column] as number };
  }

  /** Stops following the canvas's size. */
  destroy(): void {
    this.resize.disconnect();
    cancelAnimationFrame(this.frameRequest);
  }

  /** Draws at the next animation frame (once, however many changes come before it). */
  private requestDraw(): void {
    if (this.frameRequest !== 0) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.draw();
      for (const resolve of this.waiting.splice(0)) resolve();
    });
  }

  /** The frame's grey levels into the offscreen image, one canvas pixel per frame pixel. */
  private paintImage(): void {
    const pixels = this.pixels;
    if (pixels === undefined) return;
    if (this.image.width !== this.width || this.image.height !== this.height) {
      this.image.width = this.width;
      this.image.height = this.height;
    }
    const context = this.image.getContext('2d');
    if (context === null) return;
    const data = context.createImageData(this.width, this.height);
    const rgba = data.data;
    const { min, max } = this.contrast;
    const scale = max > min ? 255 / (max - min) : 0;
    for (let i = 0, j = 0; i < pixels.length; i++, j += 4) {
      const grey = ((pixels[i] as number) - min) * scale; // the clamped array rounds and clips
      rgba[j] = grey;
      rgba[j + 1] = grey;
      rgba[j + 2] = grey;
      rgba[j + 3] = 255;
    }
    context.putImageData(data, 0, 0);
  }

  /** The frame's scale (screen px per frame px) and its top-left corner in a box of this size. */
  private layout(boxWidth: number, boxHeight: number): { scale: number; left: number; top: number } {
    if (this.width === 0 || this.height === 0) return { scale: 1, left: 0, top: 0 };
    const scale = Math.min(boxWidth / this.width, boxHeight / this.height);
    return { scale, left: (boxWidth - this.width * scale) / 2, top: (boxHeight - this.height * scale) / 2 };
  }

  /** Composites the image and the overlay on the visible canvas. */
  private draw(): void {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const cssWidth = canvas.clientWidth;
    const cssHeight = canvas.clientHeight;
    const backingWidth = Math.max(1, Math.round(cssWidth * ratio));
    const backingHeight = Math.max(1, Math.round(cssHeight * ratio));
    if (canvas.width !== backingWidth || canvas.height !== backingHeight) {
      canvas.width = backingWidth;
      canvas.height = backingHeight;
    }
    const context = canvas.getContext('2d');
    if (context === null) return;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = '#111';
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (this.pixels === undefined) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const { scale, left, top } = this.layout(cssWidth, cssHeight);
    context.imageSmoothingEnabled = false;
    context.drawImage(this.image, left, top, this.width * scale, this.height * scale);
    if (this.overlay !== undefined) this.drawOverlay(context, scale, left, top, this.overlay);
  }

  private drawOverlay(context: CanvasRenderingContext2D, scale: number, left: number, top: number, overlay: FrameOverlay): void {
    const style = OVERLAY_STYLE;
    context.lineWidth = style.lineWidthScreen;
    context.strokeStyle = style.candidateColor;
    const radius = Math.max(style.candidateMinRadiusScreen, style.candidateRadiusPx * scale);
    context.beginPath();
    for (const point of overlay.candidates) {
      const x = left + point.xPx * scale;
      const y = top + point.yPx * scale;
      context.moveTo(x + radius, y);
      context.arc(x, y, radius, 0, 2 * Math.PI);
    }
    context.stroke();
    context.strokeStyle = style.fitColor;
    const arm = Math.max(style.fitMinArmScreen, style.fitArmPx * scale);
    context.beginPath();
    for (const point of overlay.fits) {
      const x = left + point.xPx * scale;
      const y = top + point.yPx * scale;
      context.moveTo(x - arm, y);
      context.lineTo(x + arm, y);
      context.moveTo(x, y - arm);
      context.lineTo(x, y + arm);
    }
    context.stroke();
  }
}
