import { describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.ts';

describe('the browser the browser tests need', () => {
  it('is missing: the test fails naming the browser and how to install it', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /need Chromium at \/nonexistent\/chromium, which is missing: install it with `sudo apt-get update && sudo apt-get install -y chromium`/,
    );
  });

  it('is there: it starts headless and renders a page', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<p id="p">rendered</p>');
      expect(await page.textContent('#p')).toBe('rendered');
    } finally {
      await browser.close();
    }
  });
});
