// A student's home: what's next, today's and upcoming live sessions with Join.
import { api } from '../api/client';
import type { Principal } from '../api/types';
import { dayKey, formatDateTime, t } from '../i18n';
import { ErrorNote, PageTitle, useLoad, useRefresh } from '../ui/kit';
import { HOME_REFRESH_MS, nextSession, upcomingSessions } from './homes_model';
import { byDay, DayHeading, SessionRow } from './sessions';

// How far ahead "upcoming" looks.
export const UPCOMING_DAYS = 7;

// From a day ago (earlier today in the district, whatever this device's zone) for a week. What
// is already over in that window is left out by upcomingSessions, not by the window.
export function weekWindow(): [string, string] {
  const from = new Date(Date.now() - 86_400_000);
  const to = new Date(from.getTime() + (UPCOMING_DAYS + 1) * 86_400_000);
  return [from.toISOString(), to.toISOString()];
}

export function Student(props: { me: Principal }) {
  const [from, to] = weekWindow();
  // Asked again while the page is open, so that Join appears when the teacher starts the class.
  const [page, error, reload] = useLoad(() => api.myLiveSessions(from, to));
  useRefresh(reload, HOME_REFRESH_MS);
  // What Join does in each section (the built-in room or the section's external meeting).
  const [pathways] = useLoad(() => api.myPathways());
  const pathwayOf = (sectionId: number) => pathways?.items.find((p) => p.section_id === sectionId);
  const now = Date.now();
  const sessions = upcomingSessions(page?.items ?? [], now);
  const next = nextSession(page?.items ?? [], now);
  const today = dayKey(new Date(now), sessions[0]?.time_zone);
  return (
    <section>
      <PageTitle>{t('student.title', { name: props.me.name })}</PageTitle>
      <ErrorNote error={error} />
      <section aria-labelledby="next-h" class="card">
        <h2 id="next-h">{t('student.next')}</h2>
        {!page ? (
          <p role="status">{t('common.loading')}</p>
        ) : next ? (
          <p>
            {next.status === 'live'
              ? t('student.next_live', { title: next.title })
              : t('student.next_at', { title: next.title, when: formatDateTime(next.starts_at, next.time_zone) })}
          </p>
        ) : (
          <p>{t('student.nothing_next')}</p>
        )}
      </section>
      <section aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t('student.sessions')}</h2>
        {page && sessions.length === 0 && <p>{t('sessions.none')}</p>}
        {byDay(sessions).map(([key, list]) => (
          <div key={key}>
            <DayHeading s={list[0]} today={today} />
            <ul class="sessions">
              {list.map((s) => (
                <SessionRow s={s} join pathway={pathwayOf(s.section_id)} key={s.id} />
              ))}
            </ul>
          </div>
        ))}
      </section>
    </section>
  );
}
