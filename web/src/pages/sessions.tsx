// Lists of live sessions shared by the student, guardian and teacher pages.
import type { ComponentChildren } from 'preact';
import type { LiveSession } from '../api/types';
import { dayKey, formatDay, formatTime, t, type MessageKey } from '../i18n';
import { Link } from '../router';

export function statusLabel(s: LiveSession): string {
  return t(`status.${s.status}` as MessageKey);
}

// Sessions grouped by their day in the district's time zone, in order.
export function byDay(sessions: LiveSession[]): [string, LiveSession[]][] {
  const groups = new Map<string, LiveSession[]>();
  for (const s of [...sessions].sort((a, b) => a.starts_at.localeCompare(b.starts_at))) {
    const key = dayKey(s.starts_at, s.time_zone);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(s);
  }
  return [...groups.entries()];
}

export function SessionRow(props: { s: LiveSession; join?: boolean; children?: ComponentChildren }) {
  const s = props.s;
  return (
    <li class={`session ${s.status}`}>
      <div>
        <strong>{s.title}</strong>
        {s.section_title && <span class="muted"> · {s.section_title}</span>}
        <div>
          {t('sessions.time_range', {
            start: formatTime(s.starts_at, s.time_zone),
            end: formatTime(s.ends_at, s.time_zone),
          })}{' '}
          <span class={`badge ${s.status}`}>{statusLabel(s)}</span>
        </div>
      </div>
      <div class="row">
        {props.join && s.status === 'live' && (
          <Link class="button primary" href={`/room/${s.id}`}>
            {t('sessions.join_named', { title: s.title })}
          </Link>
        )}
        {props.children}
      </div>
    </li>
  );
}

export function DayHeading(props: { s: LiveSession; today: string }) {
  const key = dayKey(props.s.starts_at, props.s.time_zone);
  return <h3>{key === props.today ? t('sessions.today') : formatDay(props.s.starts_at, props.s.time_zone)}</h3>;
}
