// Daily attendance (docs/api.md, "Daily attendance"): a section's school days for its teachers,
// with overrides; a school's days for its administrators with the CSV for the student information
// system; the district's policy (set by district administrators, shown to everyone else).
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { AttendanceDay, DailyAttendanceReport, Principal } from '../api/types';
import { formatCalendarDay, t, type MessageKey } from '../i18n';
import { Link } from '../router';
import { ErrorNote, FormError, PageTitle, useLoad, useSchoolChoice } from '../ui/kit';

// The server's --daily-attendance-max-reason-bytes default; the server has the last word.
const MAX_REASON = 500;

type Range = { from?: string; to?: string };

export const basisKey = (d: AttendanceDay) => `daily.basis_${d.basis}` as MessageKey;

// One cell: the status in words (a symbol is not enough for a screen reader) and why.
function DayCell(props: { d: AttendanceDay }) {
  const d = props.d;
  const why = d.basis === 'override' && d.override ? `${t(basisKey(d))}: ${d.override.reason}` : t(basisKey(d));
  return (
    <td class={`day-${d.status}`} title={why}>
      {t(d.status === 'present' ? 'daily.present' : 'daily.absent')}
      <br />
      <span class="muted">{d.basis === 'live' || d.basis === 'none' ? t('daily.minutes', { minutes: d.live_minutes }) : why}</span>
    </td>
  );
}

function DaysTable(props: { report: DailyAttendanceReport; caption: string }) {
  const r = props.report;
  return (
    <table class="daily">
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('daily.student')}</th>
          {r.days.map((d) => (
            <th scope="col" key={d}>
              {formatCalendarDay(d)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {r.items.map((row) => (
          <tr key={`${row.section_id}-${row.student.id}`}>
            <th scope="row">
              {row.student.given_name} {row.student.family_name}
            </th>
            {row.days.map((d) => (
              <DayCell d={d} key={d.date} />
            ))}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t('daily.present_total')}</th>
          {r.totals.map((x) => (
            <td key={x.date}>
              {x.present} / {x.present + x.absent}
            </td>
          ))}
        </tr>
      </tfoot>
    </table>
  );
}

function RangeForm(props: { report: DailyAttendanceReport | null; onRange: (r: Range) => void }) {
  const days = props.report?.days ?? [];
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    props.onRange({ from: String(f.get('from')), to: String(f.get('to')) });
  };
  return (
    <form class="card row" onSubmit={onSubmit} key={days.join()}>
      <label>
        {t('daily.from')} <input type="date" name="from" defaultValue={days[0]} required />
      </label>
      <label>
        {t('daily.to')} <input type="date" name="to" defaultValue={days[days.length - 1]} required />
      </label>
      <button type="submit">{t('daily.show')}</button>
    </form>
  );
}

function PolicyNote(props: { report: DailyAttendanceReport }) {
  const p = props.report.policy;
  return (
    <p class="muted">
      {t('daily.policy_summary', { minutes: p.min_live_minutes })}
      {p.count_submissions ? ` ${t('daily.policy_work')}` : ''}
      {p.count_external_opens ? ` ${t('daily.policy_external')}` : ''}
    </p>
  );
}

function OverrideForm(props: { sectionId: number; report: DailyAttendanceReport; onSaved: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    setError(null);
    setSaved(false);
    // A present or absent mark needs its reason (the server refuses one without).
    if (f.get('status') !== 'policy' && String(f.get('reason') ?? '').trim() === '') {
      setError(new FormError('daily.reason_required'));
      return;
    }
    setBusy(true);
    try {
      await api.overrideAttendance(props.sectionId, {
        student_id: Number(f.get('student')),
        date: String(f.get('date')),
        status: String(f.get('status')),
        reason: String(f.get('reason') ?? ''),
      });
      form.reset();
      setSaved(true);
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="override-h">
      <h2 id="override-h">{t('daily.override_title')}</h2>
      <p class="muted">{t('daily.override_hint')}</p>
      <form class="grid" onSubmit={onSubmit}>
        <label for="ov-student">{t('daily.student')}</label>
        <select id="ov-student" name="student" required>
          {props.report.items.map((row) => (
            <option value={row.student.id} key={row.student.id}>
              {row.student.given_name} {row.student.family_name}
            </option>
          ))}
        </select>
        <label for="ov-date">{t('daily.day')}</label>
        <select id="ov-date" name="date" required>
          {props.report.days.map((d) => (
            <option value={d} key={d}>
              {formatCalendarDay(d)}
            </option>
          ))}
        </select>
        <label for="ov-status">{t('daily.mark_as')}</label>
        <select id="ov-status" name="status">
          <option value="present">{t('daily.present')}</option>
          <option value="absent">{t('daily.absent')}</option>
          <option value="policy">{t('daily.back_to_policy')}</option>
        </select>
        <label for="ov-reason">{t('daily.reason')}</label>
        <input id="ov-reason" name="reason" maxLength={MAX_REASON} />
        <ErrorNote error={error} />
        {saved && <p role="status">{t('daily.override_saved')}</p>}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('common.working') : t('daily.override_save')}
        </button>
      </form>
    </section>
  );
}

// /teacher/sections/:id/daily-attendance
export function SectionDailyAttendance(props: { id: string }) {
  const id = Number(props.id);
  const [range, setRange] = useState<Range>({});
  const [report, error, reload] = useLoad(() => api.sectionDailyAttendance(id, range), [id, range.from, range.to]);
  const days = report?.days ?? [];
  const csv = days.length > 0 ? `/api/v1/sections/${id}/daily-attendance.csv?from=${days[0]}&to=${days[days.length - 1]}` : '';
  return (
    <section>
      <PageTitle>{t('daily.section_title')}</PageTitle>
      <p>
        <Link href="/teacher">{t('attendance.back')}</Link>
      </p>
      <RangeForm report={report} onRange={setRange} />
      <ErrorNote error={error} />
      {report && (
        <>
          <PolicyNote report={report} />
          {csv && (
            <p>
              <a class="button" href={csv} download>
                {t('attendance.csv')}
              </a>
            </p>
          )}
          {report.items.length === 0 ? <p>{t('daily.no_students')}</p> : <DaysTable report={report} caption={t('daily.caption')} />}
          {report.items.length > 0 && report.days.length > 0 && (
            <OverrideForm sectionId={id} report={report} onSaved={reload} />
          )}
        </>
      )}
    </section>
  );
}

function PolicyForm(props: { onSaved: () => void }) {
  const [policy, loadError, reload] = useLoad(() => api.attendancePolicy(), []);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  if (!policy) return <ErrorNote error={loadError} />;
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setError(null);
    setSaved(false);
    try {
      await api.setAttendancePolicy({
        min_live_minutes: Number(f.get('minutes')),
        count_submissions: f.get('work') === 'on',
        count_external_opens: f.get('external') === 'on',
      });
      setSaved(true);
      reload();
      props.onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="card" aria-labelledby="policy-h">
      <h2 id="policy-h">{t('daily.policy_title')}</h2>
      <form class="grid" onSubmit={onSubmit} key={policy.updated_at ?? 'default'}>
        <label for="policy-minutes">{t('daily.policy_minutes')}</label>
        <input id="policy-minutes" name="minutes" type="number" min={0} max={600} required
          defaultValue={String(policy.min_live_minutes)} />
        <label class="check">
          <input type="checkbox" name="work" defaultChecked={policy.count_submissions} /> {t('daily.policy_count_work')}
        </label>
        <label class="check">
          <input type="checkbox" name="external" defaultChecked={policy.count_external_opens} />{' '}
          {t('daily.policy_count_external')}
        </label>
        <ErrorNote error={error} />
        {saved && <p role="status">{t('daily.policy_saved')}</p>}
        <button type="submit" class="primary">
          {t('daily.policy_save')}
        </button>
      </form>
    </section>
  );
}

// /admin/daily-attendance
export function SchoolDailyAttendance(props: { me: Principal }) {
  const { school, picker, error: schoolsError } = useSchoolChoice();
  const [range, setRange] = useState<Range>({});
  const [report, error, reloadReport] = useLoad(
    () => (school ? api.schoolDailyAttendance(school.id, range) : Promise.resolve(null)),
    [school?.id, range.from, range.to],
  );
  const days = report?.days ?? [];
  const csv = school && days.length > 0
    ? `/api/v1/schools/${school.id}/daily-attendance.csv?from=${days[0]}&to=${days[days.length - 1]}`
    : '';
  return (
    <section>
      <PageTitle>{t('daily.school_title')}</PageTitle>
      <ErrorNote error={schoolsError} />
      {picker}
      <RangeForm report={report} onRange={setRange} />
      <ErrorNote error={error} />
      {report && (
        <>
          <PolicyNote report={report} />
          {csv && (
            <p>
              <a class="button" href={csv} download>
                {t('daily.csv_sis')}
              </a>
            </p>
          )}
          {report.items.length === 0 ? (
            <p>{t('daily.no_students')}</p>
          ) : (
            <DaysTable report={report} caption={t('daily.school_caption', { school: school?.name ?? '' })} />
          )}
        </>
      )}
      {props.me.role === 'district_admin' && <PolicyForm onSaved={reloadReport} />}
    </section>
  );
}
