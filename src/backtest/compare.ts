// Two reports side by side: each statistic of both and their difference (B − A), for `fillstate report --compare`.
import { decimal, isDecimalText, type DecimalString } from '../domain/decimal.ts';
import type { ReportStatistics } from '../analytics/report-statistics.ts';
import type { Report } from './report.ts';

export interface ReportComparison {
  readonly compare: true;
  readonly a: Report;
  readonly b: Report;
  /** B − A for every statistic both give as a number; absent where either is null or 'infinite'. */
  readonly differences: Readonly<Partial<Record<keyof ReportStatistics, DecimalString>>>;
}

export function compareReports(a: Report, b: Report): ReportComparison {
  const differences: Partial<Record<keyof ReportStatistics, DecimalString>> = {};
  for (const key of Object.keys(a.statistics) as (keyof ReportStatistics)[]) {
    const first = a.statistics[key];
    const second = b.statistics[key];
    const asText = (value: unknown) => (typeof value === 'number' ? String(value) : value);
    const left = asText(first);
    const right = asText(second);
    if (typeof left === 'string' && typeof right === 'string' && isDecimalText(left) && isDecimalText(right)) differences[key] = decimal(right).minus(left).toFixed();
  }
  return { compare: true, a, b, differences };
}
