// Support's view of one user (docs/api.md, "Diagnostics"): the verdict first, then the timeline of
// what the server recorded and what the user's devices reported, on the district's clock.
import { api } from '../api/client';
import type { TimelineItem } from '../api/types';
import { formatDateTime, t, type MessageKey } from '../i18n';
import { Link } from '../router';
import { ErrorNote, PageTitle, useLoad } from '../ui/kit';

// The item's details as a short line: the fields support reads, in a stable order.
function details(i: TimelineItem): string {
  const d = i.detail as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of ['title', 'reason', 'cidr', 'code', 'message', 'source', 'page', 'load_ms', 'device']) {
    if (d[key] !== undefined && d[key] !== '') parts.push(`${key}: ${String(d[key])}`);
  }
  return parts.join(' · ');
}

export function Diagnostics(props: { id: string }) {
  const [timeline, error] = useLoad(() => api.diagnostics(Number(props.id)), [props.id]);
  return (
    <section>
      <PageTitle>{timeline ? t('diagnostics.title_of', { name: timeline.user.name }) : t('diagnostics.title')}</PageTitle>
      <p>
        <Link href="/admin/users">{t('diagnostics.back')}</Link>
      </p>
      <ErrorNote error={error} />
      {timeline && (
        <>
          <section aria-labelledby="verdict-h" class="card">
            <h2 id="verdict-h">{t('diagnostics.verdict')}</h2>
            <p class="verdict">{timeline.verdict}</p>
            <p class="muted">
              {t('diagnostics.range', { from: formatDateTime(timeline.from), to: formatDateTime(timeline.to) })}
            </p>
          </section>
          <section aria-labelledby="timeline-h" class="card">
            <h2 id="timeline-h">{t('diagnostics.timeline')}</h2>
            {timeline.items.length === 0 && <p>{t('diagnostics.empty')}</p>}
            {timeline.items.length > 0 && (
              <table>
                <caption>{t('diagnostics.timeline')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('diagnostics.when')}</th>
                    <th scope="col">{t('diagnostics.what')}</th>
                    <th scope="col">{t('diagnostics.seen_by')}</th>
                    <th scope="col">{t('diagnostics.address')}</th>
                    <th scope="col">{t('diagnostics.details')}</th>
                  </tr>
                </thead>
                <tbody>
                  {timeline.items.map((i, n) => (
                    <tr key={n}>
                      <td>{formatDateTime(i.at)}</td>
                      <th scope="row">{t(`diagnostics.kind_${i.kind}` as MessageKey)}</th>
                      <td>{t(`diagnostics.origin_${i.origin}` as MessageKey)}</td>
                      <td>{i.ip ?? '–'}</td>
                      <td>{details(i)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {timeline.truncated && <p>{t('diagnostics.truncated')}</p>}
          </section>
        </>
      )}
    </section>
  );
}
