/** Reading a page's canvases in the page tests. */
import type { Page } from 'playwright-core';

/**
 * What a canvas shows: how many of its pixels differ from its top-left pixel (the background)
 * and how many distinct grey levels (R channel) it holds. The canvas is copied onto a fresh 2-D
 * canvas first, so a WebGL canvas reads as well as a 2-D one.
 */
export async function canvasContent(page: Page, testid: string): Promise<{ differing: number; levels: number; width: number; height: number }> {
  return page.evaluate((id) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`);
    if (canvas === null) throw new Error(`no canvas data-testid="${id}"`);
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext('2d') as CanvasRenderingContext2D;
    context.drawImage(canvas, 0, 0);
    const data = context.getImageData(0, 0, copy.width, copy.height).data;
    const levels = new Set<number>();
    let differing = 0;
    for (let i = 0; i < data.length; i += 4) {
      levels.add(data[i] as number);
      if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) differing++;
    }
    return { differing, levels: levels.size, width: copy.width, height: copy.height };
  }, testid);
}
