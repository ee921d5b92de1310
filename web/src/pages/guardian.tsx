// A guardian's home: each child's live sessions today and this week.
import { api } from '../api/client';
import type { Principal } from '../api/types';
import { dayKey, t } from '../i18n';
import { ErrorNote, PageTitle, useLoad } from '../ui/kit';
import { byDay, DayHeading, SessionRow } from './sessions';
import { weekWindow } from './student';

export function Guardian(props: { me: Principal }) {
  const [from, to] = weekWindow();
  const [children, childError] = useLoad(() => api.myChildren());
  const [page, error] = useLoad(() => api.myLiveSessions(from, to));
  const sessions = (page?.items ?? []).filter((s) => s.status !== 'cancelled');
  return (
    <section>
      <PageTitle>{t('guardian.title', { name: props.me.name })}</PageTitle>
      <ErrorNote error={childError || error} />
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
            <h3>{t('sessions.today')}</h3>
            {todays.length === 0 ? (
              <p>{t('guardian.none_today')}</p>
            ) : (
              <ul class="sessions">
                {todays.map((s) => (
                  <SessionRow s={s} key={s.id} />
                ))}
              </ul>
            )}
            <h3>{t('guardian.this_week')}</h3>
            {later.length === 0 && <p>{t('sessions.none')}</p>}
            {byDay(later).map(([key, list]) => (
              <div key={key}>
                <DayHeading s={list[0]} today={today} />
                <ul class="sessions">
                  {list.map((s) => (
                    <SessionRow s={s} key={s.id} />
                  ))}
                </ul>
              </div>
            ))}
          </section>
        );
      })}
    </section>
  );
}
