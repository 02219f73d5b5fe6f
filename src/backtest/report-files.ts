// Writes a report as its two files: report.json (the figures) and report.html (the page that draws them).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderReportHtml } from './report-html.ts';
import { reportJson, type Report } from './report.ts';

export function writeReportFiles(outDir: string, report: Report): { json: string; html: string } {
  mkdirSync(outDir, { recursive: true });
  const json = path.join(outDir, 'report.json');
  const html = path.join(outDir, 'report.html');
  writeFileSync(json, reportJson(report));
  writeFileSync(html, renderReportHtml(report));
  return { json, html };
}
