import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package; CHROMIUM_PATH names another build. Nothing downloads a browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium, or fails the test that needs it with what is missing and how to
 * install it: a browser test that cannot run must not pass.
 */
export async function launchChromium(path = chromiumPath): Promise<Browser> {
  if (!existsSync(path)) {
    throw new Error(`The browser tests need Chromium at ${path}, which is missing: install it with \`sudo apt-get update && sudo apt-get install -y chromium\` (Debian, Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.`);
  }
  // As root (CI containers) Chromium refuses to start with its sandbox.
  return chromium.launch({ executablePath: path, args: ['--no-sandbox'] });
}
