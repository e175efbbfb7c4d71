/**
 * The browser the page tests use starts and renders a page: a failure here says the browser
 * set-up (Debian's chromium, playwright-core, the flags of launchChromium) is broken, before any
 * page test of the report or of `smlm-stream view` reads as a failure of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumMissing, launchChromium } from './launchChromium.js';

test('headless Chromium starts and renders a page', { skip: chromiumMissing() }, async () => {
  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent('<p id="x">smlm</p><script>document.getElementById("x").textContent += "-stream";</script>');
    assert.equal(await page.textContent('#x'), 'smlm-stream', 'the page script ran');
  } finally {
    await close();
  }
});
