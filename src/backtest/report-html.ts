// placeholder replaced below
import type { Report } from './report.ts';
export function renderReportHtml(report: Report): string {
  return JSON.stringify(report);
}
