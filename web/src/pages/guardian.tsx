// A guardian's home: for each child, what needs attention (missed live sessions, missing work),
// their attendance this week, and their live sessions today and this week.
import { api } from '../api/client';
import type { Alert, AttendanceDay, Principal } from '../api/types';
import { dayKey, formatCalendarDay, formatDateTime, t, type MessageKey } from '../i18n';
import { ErrorNote, PageTitle, useLoad, useRefresh } from '../ui/kit';
import { HOME_REFRESH_MS } from './homes_model';
import { byDay, DayHeading, SessionRow } from './sessions';
import { weekWindow } from './student';

function AlertList(props: { items: Alert[] }) {
  if (props.items.length === 0) return <p>{t('guardian.no_alerts')}</p>;
  return (
    <ul class="alerts">
      {props.items.map((a) => (
        <li key={`${a.kind}-${a.session_id ?? a.assignment_id}`}>
          {t(a.kind === 'missed_session' ? 'guardian.alert_missed' : 'guardian.alert_missing', {
            title: a.title,
            section: a.section_title,
            when: formatDateTime(a.at),
          })}
        </li>
      ))}
    </ul>
  );
}

// The child's school days this week, each in words with the reason.
function WeekAttendance(props: { studentId: number }) {
  const [report, error] = useLoad(() => api.studentDailyAttendance(props.studentId), [props.studentId]);
  if (!report) return <ErrorNote error={error} />;
  const label = (d: AttendanceDay) =>
    `${t(d.status === 'present' ? 'daily.present' : 'daily.absent')} (${t(`daily.basis_${d.basis}` as MessageKey)})`;
  return (
    <ul class="week-attendance">
      {report.combined.map((d) => (
        <li key={d.date}>
          <strong>{formatCalendarDay(d.date)}</strong>: {label(d)}
        </li>
      ))}
    </ul>
  );
}

export function Guardian(props: { me: Principal }) {
  const [from, to] = weekWindow();
  const [children, childError] = useLoad(() => api.myChildren());
  // The sessions are asked again while the page is open (a class starting shows as live).
  const [page, error, reload] = useLoad(() => api.myLiveSessions(from, to));
  useRefresh(reload, HOME_REFRESH_MS);
  const [alerts, alertsError] = useLoad(() => api.myAlerts());
  const sessions = (page?.items ?? []).filter((s) => s.status !== 'cancelled');
  return (
    <section>
      <PageTitle>{t('guardian.title', { name: props.me.name })}</PageTitle>
      <ErrorNote error={childError || error || alertsError} />
      {!children && <p role="status">{t('common.loading')}</p>}
      {children && children.items.length === 0 && <p>{t('guardian.no_children')}</p>}
      {children?.items.map((child) => {
        const mine = sessions.filter((s) => !s.children || s.children.some((c) => c.id === child.id));
        const today = dayKey(new Date(), mine[0]?.time_zone);
        const todays = mine.filter((s) => dayKey(s.starts_at, s.time_zone) === today);
        const later = mine.filter((s) => dayKey(s.starts_at, s.time_zone) > today);
        return (
          <section class="card" aria-labelledby={`child-${child.id}`} key={child.id}>
            <h2 id={`child-${child.id}`}>{child.name}</h2>
            <p class="muted">
              {t('guardian.classes', { count: child.sections.length })}
            </p>
            <h3>{t('guardian.alerts')}</h3>
            {alerts && <AlertList items={alerts.items.filter((a) => a.student.id === child.id)} />}
            <h3>{t('guardian.attendance')}</h3>
            <WeekAttendance studentId={child.id} />
            <section aria-labelledby={`today-${child.id}`}>
              <h3 id={`today-${child.id}`}>{t('sessions.today')}</h3>
              {todays.length === 0 ? (
                <p>{t('guardian.none_today')}</p>
              ) : (
                <ul class="sessions">
                  {todays.map((s) => (
                    <SessionRow s={s} key={s.id} />
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby={`week-${child.id}`}>
              <h3 id={`week-${child.id}`}>{t('guardian.this_week')}</h3>
              {later.length === 0 && <p>{t('sessions.none')}</p>}
              {byDay(later).map(([key, list]) => (
                <div key={key}>
                  <DayHeading s={list[0]} today={today} level={4} />
                  <ul class="sessions">
                    {list.map((s) => (
                      <SessionRow s={s} key={s.id} />
                    ))}
                  </ul>
                </div>
              ))}
            </section>
          </section>
        );
      })}
    </section>
  );
}
