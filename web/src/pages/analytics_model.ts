// The analytics page's pure parts (docs/web.md, "Analytics"): the default range, the six metrics
// and how each is written, and the scale of a chart's axis. No DOM here: test/analytics.test.ts.
import type { GradeBand, MetricName, Pathway } from '../api/types';
import { formatNumber, numberLocale, t, type MessageKey } from '../i18n';

export type MetricKind = 'rate' | 'minutes' | 'grade';
export const METRICS: { name: MetricName; kind: MetricKind }[] = [
  { name: 'live_attendance_rate', kind: 'rate' },
  { name: 'avg_live_minutes', kind: 'minutes' },
  { name: 'submission_rate', kind: 'rate' },
  { name: 'on_time_rate', kind: 'rate' },
  { name: 'avg_grade', kind: 'grade' },
  { name: 'connection_problem_rate', kind: 'rate' },
];
export const PATHWAYS: Pathway[] = ['built_in', 'external'];
export const BANDS: (GradeBand | null)[] = ['prek-5', '6-12', null];

export const metricLabel = (m: MetricName) => t(`analytics.metric_${m}` as MessageKey);
export const pathwayLabel = (p: Pathway) => t(p === 'built_in' ? 'analytics.pathway_built_in' : 'analytics.pathway_external');
export const bandLabel = (b: GradeBand | null | undefined) =>
  t(b === 'prek-5' ? 'analytics.band_prek5' : b === '6-12' ? 'analytics.band_6_12' : 'analytics.band_none');
export const cohortLabel = (b: GradeBand | null, p: Pathway) => t('analytics.cohort', { band: bandLabel(b), pathway: pathwayLabel(p) });

// "2026-11-23" plus `days` (calendar arithmetic on the date itself, no time zone involved).
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// The last full Monday-to-Friday week that ends before `today` (the district's calendar day): on
// a Saturday or Sunday the week just ended, on a weekday the week before.
export function lastFullWeek(today: string): { from: string; to: string } {
  let friday = addDays(today, -1);
  while (new Date(`${friday}T12:00:00Z`).getUTCDay() !== 5) friday = addDays(friday, -1);
  return { from: addDays(friday, -4), to: friday };
}

function number(value: number, digits: number): string {
  return formatNumber(value, digits);
}

// A metric as people read it: "82.5%", "41 min", "87.3 / 100"; null (nothing to divide by) is
// "no data", never 0.
export function formatMetric(kind: MetricKind, value: number | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t('analytics.no_data');
  switch (kind) {
    case 'rate':
      return new Intl.NumberFormat(numberLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(value);
    case 'minutes':
      return t('analytics.minutes_value', { minutes: number(value, 1) });
    case 'grade':
      return t('analytics.grade_value', { grade: number(value, 1) });
  }
}

// A value on a chart, where the metric's name and axis say the unit: "82.5%", "41.3", "87.3".
export function formatChartValue(kind: MetricKind, value: number | null): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return t('analytics.no_data');
  return kind === 'rate' ? formatMetric(kind, value) : number(value, 1);
}

// The top of a chart's axis: 1 for rates, 100 for grades, for minutes a round number at or above
// the largest value (10, 20, 25, 50, 100, 200, ...).
export function axisMax(kind: MetricKind, values: (number | null)[]): number {
  if (kind === 'rate') return 1;
  if (kind === 'grade') return 100;
  const top = Math.max(0, ...values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (top <= 0) return 10;
  const scale = 10 ** Math.floor(Math.log10(top));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * scale >= top) return step * scale;
  return 10 * scale;
}
