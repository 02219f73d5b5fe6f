/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The report page opened from disk in headless Chromium with every network request refused: uPlot draws the
// equity, drawdown and price charts from the embedded JSON, the tables are filled, and a screenshot is kept.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareReports } from '../../src/backtest/compare.ts';
import { parseBacktestConfig } from '../../src/backtest/config.ts';
import { renderComparisonHtml } from '../../src/backtest/report-html.ts';
import { runBacktest } from '../../src/backtest/runner.ts';
import { writeFileSync } from 'node:fs';
import { writeBinanceTrades } from './sample-data.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const directory = mkdtempSync(path.join(tmpdir(), 'fillstate-report-page-'));
let browser: Browser;
let reportFile = '';
let comparisonFile = '';
const requested: string[] = [];

beforeAll(async () => {
  const data = path.join(directory, 'ETHUSDT-trades-2025-01-01.csv');
  writeBinanceTrades(data, { seed: 5, rows: 1_200, startTime: Date.UTC(2025, 0, 1), stepMs: 1_000, startCents: 333_700, microseconds: true });
  const config = parseBacktestConfig({ balances: { USDT: '100000', ETH: '10' }, strategy: { everyMs: 60_000 } });
  const first = await runBacktest({ data: [data], config, outDir: path.join(directory, 'run') });
  reportFile = first.files.html!;
  const second = await runBacktest({ data: [data], config: parseBacktestConfig({ ...config, strategy: { everyMs: 120_000 } }) });
  comparisonFile = path.join(directory, 'comparison.html');
  writeFileSync(comparisonFile, renderComparisonHtml(compareReports(first.report, second.report)));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(directory, { recursive: true, force: true });
});

async function open(file: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1250 } });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requested.push(url);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-charts]');
  return page;
}

/** Canvas pixels uPlot painted (not transparent), per chart. */
function paintedPixels(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.chart')].map((chart) => {
      const canvas = chart.querySelector('canvas')!;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let index = 3; index < pixels.length; index += 4) if (pixels[index]! > 0) painted++;
      return painted;
    }),
  );
}

describe('the report page', () => {
  it('draws equity, drawdown and price with fills, stops and take-profits, offline', async () => {
    const page = await open(reportFile);
    expect(await page.getAttribute('body', 'data-charts')).toBe('3');
    const titles = await page.locator('.chart h3').allTextContents();
    expect(titles).toEqual(['Equity (USDT)', 'Drawdown (fraction of peak)', 'ETH/USDT: price, fills, stops and take-profits']);
    const painted = await paintedPixels(page);
    expect(painted.every((count) => count > 500)).toBe(true);
    const legend = await page.locator('.chart').nth(2).locator('.u-legend').textContent();
    for (const series of ['price', 'buy fills', 'sell fills', 'stops', 'take-profits']) expect(legend).toContain(series);
    const sections = await page.locator('section h2').allTextContents();
    expect(sections).toEqual(expect.arrayContaining(['Statistics', 'Per symbol', 'Per exit reason', 'Execution quality (slippage against the arrival price)']));
    expect(sections.some((title) => /^Trades \(\d+\)$/.test(title))).toBe(true);
    const statistics = page.locator('section', { has: page.locator('h2', { hasText: /^Statistics$/ }) });
    expect(await statistics.locator('tr', { hasText: 'Sharpe' }).count()).toBe(1);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/backtest-report.png', fullPage: false });
    await page.close();
  });

  it('shows two runs side by side', async () => {
    const page = await open(comparisonFile);
    expect(await page.getAttribute('body', 'data-charts')).toBe('2');
    const header = await page.locator('section').first().locator('table').first().locator('th').allTextContents();
    expect(header).toEqual(['', 'A', 'B', 'B − A']);
    expect((await paintedPixels(page)).every((count) => count > 500)).toBe(true);
    await page.close();
    expect(requested).toEqual([]);
  });
});
