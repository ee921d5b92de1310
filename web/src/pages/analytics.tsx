// Engagement analytics (docs/api.md, "Analytics"; docs/web.md, "Analytics"): /admin/analytics.
// District admins get the decision report (cohorts of grade band x pathway compared on the six
// metrics, in a table and hand-drawn SVG charts, with its CSV and JSON) and can compute days not
// yet computed; both admin roles get the explorer (any grouping, per range or per day, a table and
// the CSV of exactly that query).
import { useState } from 'preact/hooks';
import { api, type AnalyticsQuery } from '../api/client';
import type {
  AnalyticsDimension, AnalyticsMetrics, AnalyticsReport, AnalyticsRow, DecisionReport, GradeBand, Pathway, Principal, School,
} from '../api/types';
import { dayKey, formatCalendarDay, formatDateTime, t, type MessageKey } from '../i18n';
import { ErrorNote, PageTitle, useLoad, useSchoolChoice } from '../ui/kit';
import {
  axisMax, BANDS, bandLabel, cohortLabel, formatChartValue, formatMetric, lastFullWeek, METRICS, metricLabel, PATHWAYS, pathwayLabel,
  type MetricKind,
} from './analytics_model';
import { BarSwatch, GroupedBarChart, LineChart, LineSwatch } from './charts';

type Range = { from: string; to: string };
const DIMENSIONS: AnalyticsDimension[] = ['grade_band', 'school', 'section', 'pathway'];
// Rows the explorer's table shows; the CSV has them all.
const MAX_TABLE_ROWS = 500;

// A metric's cell: its value, or a dash that a screen reader reads as "no data".
function MetricCell(props: { kind: MetricKind; value: number | null }) {
  if (props.value === null || props.value === undefined) {
    return (
      <td class="num">
        <span aria-hidden="true">—</span>
        <span class="sr">{t('analytics.no_data')}</span>
      </td>
    );
  }
  return <td class="num">{formatMetric(props.kind, props.value)}</td>;
}

function MetricHeaders() {
  return (
    <>
      {METRICS.map((m) => (
        <th scope="col" class="num" key={m.name}>
          {metricLabel(m.name)}
        </th>
      ))}
    </>
  );
}

function MetricCells(props: { metrics: AnalyticsMetrics }) {
  return (
    <>
      {METRICS.map((m) => (
        <MetricCell kind={m.kind} value={props.metrics[m.name]} key={m.name} />
      ))}
    </>
  );
}

// "As of …", the days not computed yet and, for district admins, Compute now.
function Freshness(props: {
  report: { computed_at: string | null; days_not_computed: string[] } | null;
  range: Range;
  canCompute: boolean;
  onComputed: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<number | null>(null);
  const r = props.report;
  if (!r) return null;
  const missing = r.days_not_computed;
  const compute = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const answer = await api.refreshAnalytics(props.range);
      setDone(answer.days.length);
      props.onComputed();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="freshness">
      <p class="muted">
        {r.computed_at ? t('analytics.as_of', { when: formatDateTime(r.computed_at) }) : t('analytics.never_computed')}
      </p>
      {missing.length > 0 && (
        <p class="banner warn">
          {missing.length <= 7
            ? t('analytics.not_computed_days', { days: missing.map(formatCalendarDay).join(', ') })
            : t('analytics.not_computed_count', { count: missing.length })}{' '}
          {props.canCompute ? (
            <button type="button" onClick={compute} disabled={busy}>
              {busy ? t('common.working') : t('analytics.compute_now')}
            </button>
          ) : (
            t('analytics.computed_hourly')
          )}
        </p>
      )}
      {done !== null && <p role="status">{t('analytics.computed', { count: done })}</p>}
      <ErrorNote error={error} />
    </div>
  );
}

// The cohort, pathway and grade-band figures of one metric as a grouped bar chart: a group per
// grade band plus "all grades", a bar per pathway in each.
function MetricChart(props: { report: DecisionReport; kind: MetricKind; name: keyof AnalyticsMetrics }) {
  const r = props.report;
  const bands = BANDS.filter((b) => r.grade_bands.some((g) => g.grade_band === b));
  const pathways = PATHWAYS.filter((p) => r.pathways.some((x) => x.pathway === p) || r.cohorts.some((c) => c.pathway === p));
  const value = (band: GradeBand | null | 'all', p: Pathway): number | null => {
    const row = band === 'all'
      ? r.pathways.find((x) => x.pathway === p)
      : r.cohorts.find((c) => c.grade_band === band && c.pathway === p);
    const v = row?.metrics[props.name];
    return v === undefined ? null : v;
  };
  const groups = [...bands.map((b) => ({ key: b as GradeBand | null | 'all', label: bandLabel(b) })),
    { key: 'all' as const, label: t('analytics.all_grades') }].map((g) => ({
    label: g.label,
    bars: pathways.map((p) => ({ value: value(g.key, p) })),
  }));
  const format = (v: number | null) => formatMetric(props.kind, v);
  const title = props.kind === 'grade' ? t('analytics.grade_axis', { metric: metricLabel(props.name) }) : metricLabel(props.name);
  const summary = groups
    .map((g) => `${g.label}: ${g.bars.map((b, i) => `${pathwayLabel(pathways[i])} ${format(b.value)}`).join(', ')}`)
    .join('; ');
  const max = axisMax(props.kind, groups.flatMap((g) => g.bars.map((b) => b.value)));
  return (
    <figure class="chart-box">
      <figcaption>{title}</figcaption>
      <GroupedBarChart
        label={t('analytics.bar_summary', { metric: title, summary })}
        groups={groups}
        series={pathways.map(pathwayLabel)}
        max={max}
        format={(v) => formatChartValue(props.kind, v)}
        ticks={[0, max / 2, max]}
      />
    </figure>
  );
}

// Live attendance per school day, a line per cohort, and the same numbers in a table below.
function DailyChart(props: { report: DecisionReport }) {
  const daily = props.report.daily;
  const days = [...new Set(daily.map((d) => d.day))].sort();
  const cohorts: { band: GradeBand | null; pathway: Pathway }[] = [];
  for (const b of BANDS) {
    for (const p of PATHWAYS) {
      if (daily.some((d) => d.grade_band === b && d.pathway === p)) cohorts.push({ band: b, pathway: p });
    }
  }
  if (days.length === 0 || cohorts.length === 0) return <p>{t('analytics.no_daily')}</p>;
  const at = (c: { band: GradeBand | null; pathway: Pathway }, day: string) => {
    const v = daily.find((d) => d.day === day && d.grade_band === c.band && d.pathway === c.pathway)?.metrics
      .live_attendance_rate;
    return v === undefined ? null : v;
  };
  const series = cohorts.map((c) => ({ values: days.map((d) => at(c, d)) }));
  const rate = (v: number | null) => formatMetric('rate', v);
  const summary = cohorts
    .map((c, i) => {
      const vs = series[i].values.filter((v): v is number => v !== null);
      return vs.length === 0
        ? `${cohortLabel(c.band, c.pathway)}: ${t('analytics.no_data')}`
        : t('analytics.line_series_summary', {
          cohort: cohortLabel(c.band, c.pathway), low: rate(Math.min(...vs)), high: rate(Math.max(...vs)),
        });
    })
    .join('; ');
  const title = t('analytics.daily_title');
  return (
    <figure class="chart-box wide">
      <figcaption>{title}</figcaption>
      <LineChart
        label={t('analytics.line_summary', {
          from: formatCalendarDay(days[0]), to: formatCalendarDay(days[days.length - 1]), summary,
        })}
        x={days.map(formatCalendarDay)}
        series={series}
        max={1}
        format={(v) => rate(v)}
        ticks={[0, 0.25, 0.5, 0.75, 1]}
      />
      <ul class="legend">
        {cohorts.map((c, i) => (
          <li key={i}>
            <LineSwatch index={i} /> {cohortLabel(c.band, c.pathway)}
          </li>
        ))}
      </ul>
      <details>
        <summary>{t('analytics.daily_numbers')}</summary>
        <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="daily-table-caption">
        <table class="analytics">
          <caption id="daily-table-caption">{title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('analytics.day')}</th>
              {cohorts.map((c, i) => (
                <th scope="col" class="num" key={i}>
                  {cohortLabel(c.band, c.pathway)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((d, di) => (
              <tr key={d}>
                <th scope="row">{formatCalendarDay(d)}</th>
                {series.map((s, si) => (
                  <MetricCell kind="rate" value={s.values[di]} key={si} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      </details>
    </figure>
  );
}

function DecisionReportSection(props: { range: Range; tick: number; onComputed: () => void }) {
  const { range } = props;
  const [report, error] = useLoad(() => api.decisionReport(range), [range.from, range.to, props.tick]);
  // Pre-K to 5 before 6 to 12, built-in before external, as in the charts.
  const bandOrder = (b: GradeBand | null) => BANDS.indexOf(b);
  const cohorts = [...(report?.cohorts ?? [])].sort((x, y) =>
    bandOrder(x.grade_band) - bandOrder(y.grade_band) || PATHWAYS.indexOf(x.pathway) - PATHWAYS.indexOf(y.pathway));
  const pathways = [...(report?.pathways ?? [])].sort((x, y) => PATHWAYS.indexOf(x.pathway) - PATHWAYS.indexOf(y.pathway));
  const bands = [...(report?.grade_bands ?? [])].sort((x, y) => bandOrder(x.grade_band) - bandOrder(y.grade_band));
  const row = (label: string, metrics: AnalyticsMetrics, key: string, cls?: string) => (
    <tr key={key} class={cls}>
      <th scope="row">{label}</th>
      <MetricCells metrics={metrics} />
    </tr>
  );
  return (
    <section class="card" aria-labelledby="report-h">
      <h2 id="report-h">{t('analytics.report_title')}</h2>
      <p>{t('analytics.report_intro')}</p>
      <ErrorNote error={error} />
      {report && (
        <>
          <Freshness report={report} range={range} canCompute onComputed={props.onComputed} />
          <p class="row">
            <a class="button" href={api.decisionReportUrl(range, 'csv')} download>
              {t('analytics.report_csv')}
            </a>
            <a class="button" href={api.decisionReportUrl(range, 'json')}
              download={`decision-report-${range.from}-${range.to}.json`}>
              {t('analytics.report_json')}
            </a>
          </p>
          <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="report-table-caption">
            <table class="analytics" data-table="decision-report">
              <caption id="report-table-caption">{t('analytics.comparison_caption', { from: formatCalendarDay(report.from), to: formatCalendarDay(report.to) })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('analytics.group')}</th>
                  <MetricHeaders />
                </tr>
              </thead>
              <tbody>
                {cohorts.map((c) =>
                  row(cohortLabel(c.grade_band, c.pathway), c.metrics, `c-${c.grade_band}-${c.pathway}`))}
                {pathways.map((p) =>
                  row(t('analytics.cohort', { band: t('analytics.all_grades'), pathway: pathwayLabel(p.pathway) }),
                    p.metrics, `p-${p.pathway}`, 'total'))}
                {bands.map((b) =>
                  row(t('analytics.cohort', { band: bandLabel(b.grade_band), pathway: t('analytics.all_pathways') }),
                    b.metrics, `b-${b.grade_band}`, 'total'))}
                {row(t('analytics.district'), report.district.metrics, 'district', 'total')}
              </tbody>
            </table>
          </div>
          <p class="hint">{t('analytics.problem_hint')}</p>
          <ul class="legend" aria-label={t('analytics.legend')}>
            {PATHWAYS.map((p, i) => (
              <li key={p}>
                <BarSwatch index={i} /> {pathwayLabel(p)}
              </li>
            ))}
          </ul>
          <div class="charts">
            {METRICS.map((m) => (
              <MetricChart report={report} kind={m.kind} name={m.name} key={m.name} />
            ))}
          </div>
          <DailyChart report={report} />
        </>
      )}
    </section>
  );
}

const dimensionLabel = (d: AnalyticsDimension) => t(`analytics.by_${d}` as MessageKey);

function dimensionCell(d: AnalyticsDimension, row: AnalyticsRow): string {
  switch (d) {
    case 'grade_band':
      return bandLabel(row.grade_band);
    case 'school':
      return row.school?.name ?? '';
    case 'section':
      return row.section?.title ?? '';
    case 'pathway':
      return row.pathway ? pathwayLabel(row.pathway) : '';
  }
}

function ExplorerTable(props: { report: AnalyticsReport }) {
  const r = props.report;
  if (r.rows.length === 0) return <p>{t('analytics.no_rows')}</p>;
  const shown = r.rows.slice(0, MAX_TABLE_ROWS);
  return (
    <>
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="explorer-table-caption">
        <table class="analytics" data-table="explorer">
          <caption id="explorer-table-caption">{t('analytics.explorer_caption', { from: formatCalendarDay(r.from), to: formatCalendarDay(r.to) })}</caption>
          <thead>
            <tr>
              {r.per === 'day' && <th scope="col">{t('analytics.day')}</th>}
              {r.by.map((d) => (
                <th scope="col" key={d}>
                  {dimensionLabel(d)}
                </th>
              ))}
              {r.by.length === 0 && <th scope="col">{t('analytics.group')}</th>}
              <th scope="col" class="num">{t('analytics.class_days')}</th>
              <th scope="col" class="num">{t('analytics.live_sessions')}</th>
              <MetricHeaders />
            </tr>
          </thead>
          <tbody>
            {shown.map((row, i) => (
              <tr key={i}>
                {r.per === 'day' && <th scope="row">{row.day ? formatCalendarDay(row.day) : ''}</th>}
                {r.by.map((d, di) =>
                  di === 0 && r.per !== 'day' ? (
                    <th scope="row" key={d}>{dimensionCell(d, row)}</th>
                  ) : (
                    <td key={d}>{dimensionCell(d, row)}</td>
                  ))}
                {r.by.length === 0 && <th scope="row">{t('analytics.district')}</th>}
                <td class="num">{row.counts.section_days}</td>
                <td class="num">{row.counts.live_sessions}</td>
                <MetricCells metrics={row.metrics} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {r.rows.length > shown.length && (
        <p class="muted">{t('analytics.rows_capped', { shown: shown.length, count: r.rows.length })}</p>
      )}
    </>
  );
}

// The district's schools for a district admin (any one or all of them); a school admin picks one
// of theirs (useSchoolChoice).
function DistrictSchoolSelect(props: { value: number | undefined; onChange: (id: number | undefined) => void }) {
  const [schools] = useLoad(() => api.schools(), []);
  return (
    <label>
      {t('analytics.school')}{' '}
      <select value={props.value ?? ''}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          props.onChange(v ? Number(v) : undefined);
        }}>
        <option value="">{t('analytics.all_schools')}</option>
        {(schools?.items ?? []).map((s: School) => (
          <option value={s.id} key={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function Explorer(props: { me: Principal; range: Range; tick: number; onComputed: () => void }) {
  const district = props.me.role === 'district_admin';
  const choice = useSchoolChoice();
  const [districtSchool, setDistrictSchool] = useState<number | undefined>(undefined);
  const schoolId = district ? districtSchool : choice.school?.id;
  const [by, setBy] = useState<AnalyticsDimension[]>(['grade_band', 'pathway']);
  const [per, setPer] = useState<'range' | 'day'>('range');
  // The query shown: set by Show (and by the page's range), so the table and its CSV always agree.
  // Until then: by grade band and pathway over the range, the whole district or the first school.
  const [applied, setApplied] = useState<Omit<AnalyticsQuery, 'from' | 'to'> | null>(null);
  const [invalid, setInvalid] = useState(false);
  const first: Omit<AnalyticsQuery, 'from' | 'to'> = { by: ['grade_band', 'pathway'], per: 'range' };
  const ready = applied ?? (district ? first : choice.school ? { ...first, school_id: choice.school.id } : null);
  const query: AnalyticsQuery | null = ready ? { ...props.range, ...ready } : null;
  const [report, error] = useLoad(
    () => (query ? api.analytics(query) : Promise.resolve(null)),
    [query?.from, query?.to, query?.by.join(), query?.per, query?.school_id, props.tick],
  );
  const toggle = (d: AnalyticsDimension, on: boolean) =>
    setBy(DIMENSIONS.filter((x) => (x === d ? on : by.includes(x))));
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (by.includes('section') && schoolId === undefined) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setApplied({ by, per, school_id: schoolId });
  };
  return (
    <section class="card" aria-labelledby="explorer-h">
      <h2 id="explorer-h">{t('analytics.explorer_title')}</h2>
      <ErrorNote error={choice.error} />
      <form class="explorer" onSubmit={onSubmit}>
        {district ? <DistrictSchoolSelect value={districtSchool} onChange={setDistrictSchool} /> : choice.picker}
        <fieldset>
          <legend>{t('analytics.group_by')}</legend>
          <div class="row">
            {DIMENSIONS.map((d) => (
              <label class="check" key={d}>
                <input type="checkbox" name="by" value={d} checked={by.includes(d)}
                  onChange={(e) => toggle(d, (e.target as HTMLInputElement).checked)} />
                {dimensionLabel(d)}
              </label>
            ))}
          </div>
          <p class="hint">{t('analytics.section_needs_school')}</p>
        </fieldset>
        <fieldset>
          <legend>{t('analytics.per')}</legend>
          <div class="row">
            <label class="check">
              <input type="radio" name="per" value="range" checked={per === 'range'} onChange={() => setPer('range')} />
              {t('analytics.per_range')}
            </label>
            <label class="check">
              <input type="radio" name="per" value="day" checked={per === 'day'} onChange={() => setPer('day')} />
              {t('analytics.per_day')}
            </label>
          </div>
        </fieldset>
        {invalid && (
          <p class="error" role="alert">
            {t('analytics.section_needs_school')}
          </p>
        )}
        <div class="row">
          <button type="submit" class="primary">
            {t('analytics.show')}
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {report && query && (
        <>
          {!district && <Freshness report={report} range={props.range} canCompute={false} onComputed={props.onComputed} />}
          <p>
            <a class="button" href={api.analyticsCsvUrl(query)} download>
              {t('analytics.explorer_csv')}
            </a>
          </p>
          <ExplorerTable report={report} />
        </>
      )}
    </section>
  );
}

function RangeForm(props: { range: Range; onRange: (r: Range) => void }) {
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    props.onRange({ from: String(f.get('from')), to: String(f.get('to')) });
  };
  return (
    <form class="card row" onSubmit={onSubmit} key={`${props.range.from}-${props.range.to}`}>
      <label>
        {t('analytics.from')} <input type="date" name="from" defaultValue={props.range.from} required />
      </label>
      <label>
        {t('analytics.to')} <input type="date" name="to" defaultValue={props.range.to} required />
      </label>
      <button type="submit">{t('analytics.show_range')}</button>
    </form>
  );
}

// /admin/analytics
export function Analytics(props: { me: Principal }) {
  const [range, setRange] = useState<Range>(() => lastFullWeek(dayKey(new Date())));
  // Bumped after Compute now: every part loads again.
  const [tick, setTick] = useState(0);
  const district = props.me.role === 'district_admin';
  const onComputed = () => setTick((n) => n + 1);
  return (
    <>
      <PageTitle>{t('analytics.title')}</PageTitle>
      <p>{t('analytics.intro')}</p>
      <RangeForm range={range} onRange={setRange} />
      {district && <DecisionReportSection range={range} tick={tick} onComputed={onComputed} />}
      <Explorer me={props.me} range={range} tick={tick} onComputed={onComputed} />
    </>
  );
}
