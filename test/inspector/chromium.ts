// Headless Chromium (Debian's, at /usr/bin/chromium unless CHROMIUM_PATH says otherwise) launched as a user would
// run it on a server: Playwright's own defaults plus the few documented switches such a machine needs.
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * `--headless`: the new headless mode (the whole browser, without a window). `--no-sandbox`: the sandbox cannot
 * start as root in a container. `--disable-gpu`: there is no GPU; pages are composited in software, as on any
 * headless server. `--no-first-run`, `--disable-background-networking`, `--disable-sync`, `--disable-quic`,
 * `--disable-component-update`: no first-run UI, no calls home, no updates — only 127.0.0.1 is reachable here.
 * Nothing that changes how a page renders or how often it is drawn.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-sync',
  '--disable-quic',
  '--disable-component-update',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
}
