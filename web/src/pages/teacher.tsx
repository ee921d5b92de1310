// A teacher's classes: sections, scheduling live sessions, start/end, the room, attendance.
import { useState } from 'preact/hooks';
import { api, uploadExternalAttendance, type Weekday } from '../api/client';
import type { ExternalReconciliation, Principal, Section } from '../api/types';
import { districtInput, formatDateTime, formatTime, t, weekdayName, zoneLabel, type MessageKey } from '../i18n';
import { Link, navigate } from '../router';
import { ConfirmButton, ErrorNote, FormError, PageTitle, useLoad, useSchoolChoice } from '../ui/kit';
import { SectionPathwayPanel } from './pathways';
import { SessionRow } from './sessions';

// "2026-09-01T09:00" on the district's clocks, `minutes` from now: the schedule form's default.
function localInput(minutesFromNow: number): string {
  return districtInput(new Date(Date.now() + minutesFromNow * 60_000));
}

// The week's days as the API names them, Monday first, with their Date.getUTCDay() number.
const WEEKDAYS: [Weekday, number][] = [['mon', 1], ['tue', 2], ['wed', 3], ['thu', 4], ['fri', 5], ['sat', 6], ['sun', 0]];
// A weekly series' default span: its first day and this many days after (four weeks).
const SERIES_DEFAULT_DAYS = 27;

// "2026-09-29" for `days` after the calendar day "2026-09-02".
function addDays(day: string, days: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// The weekly fields of the schedule form: which days, the times, the first and last day.
function WeeklyFields() {
  const today = districtInput(new Date()).slice(0, 10);
  return (
    <>
      <fieldset>
        <legend>{t('teacher.days')}</legend>
        {WEEKDAYS.map(([code, n]) => (
          <label class="check" key={code}>
            <input type="checkbox" name="days" value={code} /> {weekdayName(n)}
          </label>
        ))}
      </fieldset>
      <label for="series_start">{t('teacher.series_start')}</label>
      <input id="series_start" name="start" type="time" required defaultValue="09:00" aria-describedby="schedule-zone" />
      <label for="series_end">{t('teacher.series_end')}</label>
      <input id="series_end" name="end" type="time" required defaultValue="09:45" aria-describedby="schedule-zone" />
      <label for="series_from">{t('teacher.series_from')}</label>
      <input id="series_from" name="from" type="date" required defaultValue={today} />
      <label for="series_until">{t('teacher.series_until')}</label>
      <input id="series_until" name="until" type="date" required defaultValue={addDays(today, SERIES_DEFAULT_DAYS)} />
    </>
  );
}

function SectionSessions(props: { section: Section }) {
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 14 * 86_400_000).toISOString();
  const [page, error, reload] = useLoad(() => api.sectionLiveSessions(props.section.id, from, to), [props.section.id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [weekly, setWeekly] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  // Scheduling's refusals show in the form, beside its button; the rows' actions' above the list.
  const [formError, setFormError] = useState<unknown>(null);

  const act = async (fn: () => Promise<unknown>, onError: (e: unknown) => void = setActionError) => {
    setActionError(null);
    setFormError(null);
    setDone(null);
    setBusy(true);
    try {
      await fn();
      reload();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  const onSchedule = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const title = String(f.get('title'));
    const waitingRoom = f.get('waiting_room') === 'on';
    if (!weekly) {
      act(() =>
        // The inputs are the district's wall-clock times (whatever this device's zone): sent without
        // an offset, the server reads them in the district's zone.
        api.schedule(props.section.id, title, String(f.get('starts_at')), String(f.get('ends_at')), waitingRoom),
      setFormError);
      return;
    }
    const series = {
      title, waiting_room: waitingRoom, days: f.getAll('days').map(String) as Weekday[],
      start: String(f.get('start')), end: String(f.get('end')), from: String(f.get('from')), until: String(f.get('until')),
    };
    // The server checks all of this too; here the teacher gets the reason in their language.
    const refusal = series.days.length === 0 ? 'teacher.days_required'
      : series.end <= series.start ? 'teacher.end_after_start'
      : series.until < series.from ? 'teacher.until_after_from' : null;
    if (refusal) {
      setDone(null);
      setFormError(new FormError(refusal));
      return;
    }
    act(async () => {
      const made = await api.scheduleWeekly(props.section.id, series);
      setDone(t('teacher.series_scheduled', { count: made.items.length }));
    }, setFormError);
  };

  const sessions = (page?.items ?? []).filter((s) => s.status !== 'cancelled');
  return (
    <section aria-labelledby="sessions-h" class="card">
      <h2 id="sessions-h">{t('teacher.sessions_of', { title: props.section.title })}</h2>
      <ErrorNote error={error || actionError} />
      {page && sessions.length === 0 && <p>{t('sessions.none')}</p>}
      <ul class="sessions">
        {sessions.map((s) => (
          <SessionRow s={s} key={s.id}>
            <span class="muted">
              {formatDateTime(s.starts_at, s.time_zone)}
              {s.series_id !== null && ` · ${t('teacher.weekly')}`}
            </span>
            {s.status === 'scheduled' && (
              <>
                <button type="button" class="primary" disabled={busy} onClick={() => act(() => api.start(s.id))}>
                  {t('teacher.start_named', { title: s.title })}
                </button>
                <ConfirmButton label={t('teacher.cancel')} question={t('teacher.cancel_question', { title: s.title })}
                  confirm={t('teacher.cancel_confirm')} onConfirm={() => act(() => api.cancel(s.id))} />
                {s.series_id !== null && (
                  <ConfirmButton label={t('teacher.cancel_series')}
                    question={t('teacher.cancel_series_question', { title: s.title })}
                    confirm={t('teacher.cancel_series_confirm')} onConfirm={() => act(() => api.cancel(s.id, 'series'))} />
                )}
              </>
            )}
            {s.status === 'live' && (
              <>
                <Link class="button primary" href={`/room/${s.id}`}>
                  {t('teacher.open_room', { title: s.title })}
                </Link>
                <ConfirmButton label={t('teacher.end')} question={t('teacher.end_question', { title: s.title })}
                  confirm={t('teacher.end_confirm')} class="danger" onConfirm={() => act(() => api.end(s.id))} />
              </>
            )}
            {(s.status === 'live' || s.status === 'ended') && (
              <Link class="button" href={`/teacher/sessions/${s.id}`}>
                {t('teacher.attendance')}
              </Link>
            )}
          </SessionRow>
        ))}
      </ul>
      <p>
        <Link href={`/teacher/sections/${props.section.id}/daily-attendance`}>
          {t('daily.link', { title: props.section.title })}
        </Link>
      </p>
      <SectionPathwayPanel sectionId={props.section.id} />
      <h3>{t('teacher.schedule')}</h3>
      <p id="schedule-zone" class="muted">{t('common.times_in_zone', { zone: zoneLabel() })}</p>
      <form onSubmit={onSchedule} class="grid">
        <label for="title">{t('teacher.session_title')}</label>
        <input id="title" name="title" required maxLength={200} defaultValue={props.section.title} />
        <fieldset>
          <legend>{t('teacher.repeat')}</legend>
          <label class="check">
            <input type="radio" name="repeat" value="once" checked={!weekly} onChange={() => setWeekly(false)} />{' '}
            {t('teacher.repeat_once')}
          </label>
          <label class="check">
            <input type="radio" name="repeat" value="weekly" checked={weekly} onChange={() => setWeekly(true)} />{' '}
            {t('teacher.repeat_weekly')}
          </label>
        </fieldset>
        {weekly ? (
          <WeeklyFields />
        ) : (
          <>
            <label for="starts_at">{t('teacher.starts')}</label>
            <input id="starts_at" name="starts_at" type="datetime-local" required defaultValue={localInput(2)}
              aria-describedby="schedule-zone" />
            <label for="ends_at">{t('teacher.ends')}</label>
            <input id="ends_at" name="ends_at" type="datetime-local" required defaultValue={localInput(47)}
              aria-describedby="schedule-zone" />
          </>
        )}
        <label class="check">
          <input type="checkbox" name="waiting_room" /> {t('teacher.waiting_room')}
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {t('teacher.schedule_submit')}
        </button>
        <ErrorNote error={formError} />
        {done && <p role="status">{done}</p>}
      </form>
    </section>
  );
}

// Picks one section from a list and shows its sessions.
function SectionPicker(props: { items: Section[] }) {
  const [selected, setSelected] = useState<number | null>(null);
  const section = props.items.find((s) => s.id === selected) ?? props.items[0];
  return (
    <>
      <label>
        {t('teacher.section')}{' '}
        <select value={section?.id} onChange={(e) => setSelected(Number((e.target as HTMLSelectElement).value))}>
          {props.items.map((s) => (
            <option value={s.id} key={s.id}>
              {s.title} ({s.school_name})
            </option>
          ))}
        </select>
      </label>
      {section && <SectionSessions section={section} key={section.id} />}
    </>
  );
}

// Administrators teach no section of their own: they pick a school they run, then its section.
function SchoolSections() {
  const { school, picker, error } = useSchoolChoice();
  const [sections, sectionsError] = useLoad(
    () => (school ? api.schoolSections(school.id) : Promise.resolve(null)),
    [school?.id],
  );
  const items = sections?.items ?? [];
  return (
    <>
      <p>{t('teacher.admin_intro')}</p>
      <ErrorNote error={error || sectionsError} />
      {picker}
      {sections && items.length === 0 && <p>{t('teacher.no_school_sections')}</p>}
      {items.length > 0 && <SectionPicker items={items} key={school?.id} />}
    </>
  );
}

export function Teacher(props: { me: Principal }) {
  const admin = props.me.role === 'school_admin' || props.me.role === 'district_admin';
  const [sections, error] = useLoad(() => api.mySections());
  const items = sections?.items ?? [];
  return (
    <section>
      <PageTitle>{t('teacher.title')}</PageTitle>
      <p class="muted">{props.me.name}</p>
      <ErrorNote error={error} />
      {sections && items.length === 0 && !admin && <p>{t('teacher.no_sections')}</p>}
      {sections && items.length === 0 && admin && <SchoolSections />}
      {items.length > 0 && <SectionPicker items={items} />}
    </section>
  );
}

// The external meeting's attendance report (Zoom, Teams...), uploaded as exported.
function ExternalReportForm(props: { sessionId: number; onDone: () => void }) {
  const [result, setResult] = useState<ExternalReconciliation | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const file = (new FormData(e.target as HTMLFormElement).get('report') as File | null) ?? null;
    if (!file || file.size === 0) return;
    setError(null);
    setResult(null);
    setBusy(true);
    try {
      setResult(await uploadExternalAttendance(props.sessionId, file));
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="external-h">
      <h2 id="external-h">{t('attendance.external_title')}</h2>
      <p class="muted">{t('attendance.external_hint')}</p>
      <form onSubmit={onSubmit} class="row">
        <label>
          {t('attendance.external_file')}{' '}
          <input type="file" name="report" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values" required />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? t('common.working') : t('attendance.external_upload')}
        </button>
      </form>
      <ErrorNote error={error} />
      {result && (
        <div role="status">
          <p>{t('attendance.external_matched', { matched: result.matched.length, rows: result.rows })}</p>
          {result.unmatched.length > 0 && (
            <p>
              {t('attendance.external_unmatched', {
                names: result.unmatched.map((u) => u.name || u.email).join(', '),
              })}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

export function Attendance(props: { id: string }) {
  const id = Number(props.id);
  const [report, error, reload] = useLoad(() => api.attendance(id), [id]);
  const s = report?.session;
  return (
    <section>
      <PageTitle>{t('attendance.title', { title: s?.title ?? '' })}</PageTitle>
      <p>
        <button type="button" onClick={() => navigate('/teacher')}>
          {t('attendance.back')}
        </button>{' '}
        <button type="button" onClick={reload}>
          {t('attendance.refresh')}
        </button>{' '}
        <a class="button" href={`/api/v1/live-sessions/${id}/attendance.csv`} download>
          {t('attendance.csv')}
        </a>
      </p>
      <ErrorNote error={error} />
      {s && (
        <p>
          {formatDateTime(s.starts_at, s.time_zone)} – {formatTime(s.ends_at, s.time_zone)}
        </p>
      )}
      {report && <ExternalReportForm sessionId={id} onDone={reload} />}
      {report && (
        <table>
          <caption>{t('attendance.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('attendance.student')}</th>
              <th scope="col">{t('attendance.status')}</th>
              <th scope="col">{t('attendance.minutes')}</th>
              <th scope="col">{t('attendance.now')}</th>
              <th scope="col">{t('attendance.external_minutes')}</th>
            </tr>
          </thead>
          <tbody>
            {report.items.map((a) => (
              <tr key={a.user_id}>
                <th scope="row">
                  {a.given_name} {a.family_name}
                </th>
                <td>
                  {t(`attendance.${a.status}` as MessageKey)}
                  {a.left_early ? ` · ${t('attendance.left_early')}` : ''}
                </td>
                <td>{a.minutes_present}</td>
                <td>{a.present_now ? t('common.yes') : t('common.no')}</td>
                <td>{a.external_minutes ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
