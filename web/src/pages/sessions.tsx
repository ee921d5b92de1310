// Lists of live sessions shared by the student, guardian and teacher pages.
import type { ComponentChildren } from 'preact';
import { api } from '../api/client';
import type { LiveSession, SectionPathway } from '../api/types';
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

// Students may open an external meeting from this long before its start (the server's
// --live-max-early-start-min; a click outside the window is refused there anyway).
const EXTERNAL_EARLY_MS = 60 * 60_000;

function externalOpen(s: LiveSession): boolean {
  if (s.status === 'live') return true;
  const now = Date.now();
  return s.status === 'scheduled' && now >= Date.parse(s.starts_at) - EXTERNAL_EARLY_MS && now < Date.parse(s.ends_at);
}

// Join on the external pathway: the section's meeting link in a new tab; the server records the
// opening as the student's attendance (POST .../open-external).
function ExternalJoin(props: { s: LiveSession; url: string | null }) {
  if (!externalOpen(props.s)) return null;
  if (!props.url) return <span class="muted">{t('sessions.no_link')}</span>;
  return (
    <a class="button primary" href={props.url} target="_blank" rel="noopener noreferrer"
      onClick={() => {
        api.openExternal(props.s.id).catch(() => {
          // the link still opens; the server may have refused the record (outside the window)
        });
      }}>
      {t('sessions.join_external_named', { title: props.s.title })}
    </a>
  );
}

export function SessionRow(props: {
  s: LiveSession;
  join?: boolean;
  pathway?: SectionPathway;
  children?: ComponentChildren;
}) {
  const s = props.s;
  const external = props.pathway?.pathway === 'external';
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
        {props.join && external && <ExternalJoin s={s} url={props.pathway?.meeting_url ?? null} />}
        {props.join && !external && s.status === 'live' && (
          <Link class="button primary" href={`/room/${s.id}`}>
            {t('sessions.join_named', { title: s.title })}
          </Link>
        )}
        {props.children}
      </div>
    </li>
  );
}

// A day's heading: "Today" or "Tuesday, September 1"; an <h3> unless `level` says otherwise.
export function DayHeading(props: { s: LiveSession; today: string; level?: 3 | 4 }) {
  const key = dayKey(props.s.starts_at, props.s.time_zone);
  const text = key === props.today ? t('sessions.today') : formatDay(props.s.starts_at, props.s.time_zone);
  return props.level === 4 ? <h4>{text}</h4> : <h3>{text}</h3>;
}
