// The report as one self-contained HTML page: uPlot (JS and CSS) and the report's JSON inlined, no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from './report.ts';
import type { ReportComparison } from './compare.ts';

const require = createRequire(import.meta.url);
let assets: { script: string; style: string; page: string } | undefined;

/** uPlot's minified build and stylesheet, and the page script, read once. */
function pageAssets(): { script: string; style: string; page: string } {
  if (assets === undefined) {
    const uplotDirectory = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
    assets = {
      script: readFileSync(path.join(uplotDirectory, 'uPlot.iife.min.js'), 'utf8'),
      style: readFileSync(path.join(uplotDirectory, 'uPlot.min.css'), 'utf8'),
      page: readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'report-page.js'), 'utf8'),
    };
  }
  return assets;
}

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #0f172a; background: #fff; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 12px 0 4px; font-weight: 600; }
table { border-collapse: collapse; margin: 4px 0 12px; } th, td { border-bottom: 1px solid #e2e8f0; padding: 3px 10px; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #f1f5f9; } .warnings { color: #92400e; } .chart { margin: 8px 0 16px; } .headline { color: #334155; margin: 0 0 8px; }
`;

/** Text that can sit inside a <script> element: no `<` can close it or open a comment. */
function scriptText(text: string): string {
  return text.replace(/</g, '\\u003c');
}

function page(title: string, payload: unknown): string {
  const { script, style, page: pageScript } = pageAssets();
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${title.replace(/[<>&]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[character]!)}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<style>${style}</style>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head><body>',
    '<h1 id="title"></h1><div id="content"></div>',
    `<script id="report-data" type="application/json">${scriptText(JSON.stringify(payload))}</script>`,
    `<script>${script}</script>`,
    `<script>${pageScript}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

export function renderReportHtml(report: Report): string {
  return page(report.title, report);
}

export function renderComparisonHtml(comparison: ReportComparison): string {
  return page(`Comparison: ${comparison.a.title} vs ${comparison.b.title}`, comparison);
}
