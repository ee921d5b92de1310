// Operations: live load and attack state (GET /api/v1/admin/status polled) for school and district
// admins; for district admins only, top offenders with block, block and allow rules with unblock,
// under-attack mode and the forensics export (addresses from every school can identify
// households: a school admin's status has none, docs/security.md); and user search for both.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { GuardRules, GuardStatus, Principal, User } from '../api/types';
import { districtInput, formatDateTime, formatNumber, t, zoneLabel, type MessageKey } from '../i18n';
import { ConfirmButton, ErrorNote, PageTitle } from '../ui/kit';
import { Link } from '../router';

// How often the dashboard asks for the status (the detector's window is one second).
export const STATUS_POLL_MS = 2000;

function n(v: number | undefined): string {
  return v === undefined ? '–' : formatNumber(v, v >= 100 ? 0 : 1);
}

// The forensics window is typed in the district's wall-clock time, like every form (i18n).
const localInput = (d: Date) => districtInput(d);

function Figure(props: { label: MessageKey; value: string; id: string }) {
  return (
    <div class="figure">
      <dt>{t(props.label)}</dt>
      <dd data-figure={props.id}>{props.value}</dd>
    </div>
  );
}

export function Admin(props: { me: Principal }) {
  const district = props.me.role === 'district_admin';
  const [status, setStatus] = useState<GuardStatus | null>(null);
  const [rules, setRules] = useState<GuardRules | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [paused, setPaused] = useState(false);

  const refreshRules = () => api.guardRules().then(setRules, setError);

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      if (!paused) {
        try {
          setStatus(await api.guardStatus());
          setError(null);
        } catch (e) {
          setError(e);
        }
      }
      if (!stop) timer = setTimeout(poll, STATUS_POLL_MS);
    };
    poll();
    if (district) refreshRules();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [district, paused]);

  // The server's answer shows at once (the radios follow it), not at the next poll.
  const setMode = async (m: 'auto' | 'on' | 'off') => {
    const mode = await api.setAttackMode(m);
    setStatus((cur) => (cur ? { ...cur, attack: { ...cur.attack, ...mode } } : cur));
  };

  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      setNotice(done);
      setError(null);
      refreshRules();
    } catch (e) {
      setError(e);
    }
  };

  const l = status?.load;
  const a = status?.attack;
  const offenders = status?.top_offenders ? [...status.top_offenders.hosts, ...status.top_offenders.subnets] : [];
  const now = new Date();
  return (
    <section>
      <PageTitle>{t('admin.title')}</PageTitle>
      <ErrorNote error={error} />
      <p role="status" class="notice">{notice}</p>
      {!district && <p class="muted">{t('admin.school_scope')}</p>}
      <section aria-labelledby="attack-h" class={`card ${a?.under_attack || a?.active.length ? 'alert' : ''}`}>
        <h2 id="attack-h">{t('admin.attack')}</h2>
        <p data-attack-state={a?.active.length ? 'attack' : 'calm'}>
          {!a ? t('common.loading') : a.active.length ? t('admin.attack_now', { count: a.active.length }) : t('admin.calm')}
          {a?.under_attack && ` · ${t('admin.under_attack_on')}`}
        </p>
        {a && a.active.length > 0 && (
          <ul>
            {a.active.map((x, i) => (
              <li key={i}>
                {t(`admin.type.${x.type}` as MessageKey)} · {t('admin.rate', { rate: n(x.rate) })} ·{' '}
                {t('admin.since', { when: formatDateTime(x.since) })}
                {x.sources && x.sources.length > 0 && ` · ${x.sources.slice(0, 5).join(', ')}`}
              </li>
            ))}
          </ul>
        )}
        {!district && a && (
          <p data-mode={a.mode}>{t('admin.mode_is', { mode: t(`admin.mode.${a.mode}` as MessageKey) })}</p>
        )}
        {district && (
          <fieldset>
            <legend>{t('admin.mode')}</legend>
            {(['auto', 'on', 'off'] as const).map((m) => (
              <label class="check" key={m}>
                <input type="radio" name="mode" checked={a?.mode === m}
                  onChange={() => act(() => setMode(m), t('admin.mode_set', { mode: t(`admin.mode.${m}` as MessageKey) }))} />{' '}
                {t(`admin.mode.${m}` as MessageKey)}
              </label>
            ))}
          </fieldset>
        )}
      </section>

      <section aria-labelledby="load-h" class="card">
        <h2 id="load-h">{t('admin.load')}</h2>
        <label class="check">
          <input type="checkbox" checked={paused} onChange={(e) => setPaused((e.target as HTMLInputElement).checked)} />{' '}
          {t('admin.pause')}
        </label>
        <dl class="figures">
          <Figure id="connections" label="admin.connections" value={n(l?.open_connections)} />
          <Figure id="requests" label="admin.requests" value={n(l?.requests_per_s)} />
          <Figure id="baseline" label="admin.baseline" value={n(l?.baseline_requests_per_s)} />
          <Figure id="shed" label="admin.shed" value={n(l?.shed_per_s)} />
          <Figure id="rate_limited" label="admin.rate_limited" value={n(l?.rate_limited_per_s)} />
          <Figure id="challenged" label="admin.challenged" value={n(l?.challenged_per_s)} />
          <Figure id="blocked" label="admin.blocked" value={n(l?.blocked_requests_per_s)} />
          <Figure id="login_failures" label="admin.login_failures" value={n(l?.login_failures_per_s)} />
        </dl>
        {l?.measured_at && <p class="muted">{t('admin.measured', { when: formatDateTime(l.measured_at) })}</p>}
      </section>

      {district && (
        <>
        <section aria-labelledby="offenders-h" class="card">
          <h2 id="offenders-h">{t('admin.offenders')}</h2>
          {offenders.length === 0 && status && <p>{t('admin.no_offenders')}</p>}
          {offenders.length > 0 && (
            <table>
              <caption>{t('admin.offenders_caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.source')}</th>
                  <th scope="col">{t('admin.per_s')}</th>
                  <th scope="col">{t('admin.action')}</th>
                </tr>
              </thead>
              <tbody>
                {offenders.map((o) => (
                  <tr key={o.source}>
                    <th scope="row">{o.source}</th>
                    <td>{n(o.rate)}</td>
                    <td>
                      <ConfirmButton label={t('admin.block_named', { source: o.source })}
                        question={t('admin.block_question', { source: o.source })} confirm={t('admin.block')}
                        onConfirm={() => act(() => api.block(o.source.replace(/\/32$/, ''), t('admin.block_reason_dashboard'), 3600),
                          t('admin.blocked_notice', { source: o.source }))} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section aria-labelledby="rules-h" class="card">
          <h2 id="rules-h">{t('admin.rules')}</h2>
          <form class="grid" onSubmit={(e) => {
            e.preventDefault();
            const form = e.target as HTMLFormElement;
            const f = new FormData(form);
            const ttlMin = Number(f.get('ttl') || 0);
            act(() => api.block(String(f.get('cidr')).trim(), String(f.get('reason')), ttlMin > 0 ? ttlMin * 60 : undefined),
              t('admin.blocked_notice', { source: String(f.get('cidr')) })).then(() => form.reset());
          }}>
            <label for="cidr">{t('admin.cidr')}</label>
            <input id="cidr" name="cidr" required placeholder="203.0.113.0/24" aria-describedby="cidr-hint" />
            <p id="cidr-hint" class="hint">{t('admin.cidr_hint')}</p>
            <label for="reason">{t('admin.reason')}</label>
            <input id="reason" name="reason" required maxLength={200} />
            <label for="ttl">{t('admin.ttl')}</label>
            <input id="ttl" name="ttl" type="number" min={0} defaultValue="60" />
            <button type="submit">{t('admin.block')}</button>
          </form>
          {rules && rules.blocked.length + rules.allowed.length === 0 && (
            <p>
              <strong>{t('admin.rules_caption')}</strong>: {t('admin.rules_none')}
            </p>
          )}
          {rules && rules.blocked.length + rules.allowed.length > 0 && (
            <table>
              <caption>{t('admin.rules_caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.cidr')}</th>
                  <th scope="col">{t('admin.kind')}</th>
                  <th scope="col">{t('admin.reason')}</th>
                  <th scope="col">{t('admin.until')}</th>
                  <th scope="col">{t('admin.action')}</th>
                </tr>
              </thead>
              <tbody>
                {[...rules.blocked, ...rules.allowed].map((r) => (
                  <tr key={r.kind + r.cidr}>
                    <th scope="row">{r.cidr}</th>
                    <td>{t(r.kind === 'allow' ? 'admin.kind_allow' : r.automatic ? 'admin.kind_auto' : 'admin.kind_block')}</td>
                    <td>{r.reason}</td>
                    <td>{r.until ? formatDateTime(r.until) : t('admin.until_removed')}</td>
                    <td>
                      <button type="button" onClick={() => act(() => api.unblock(r.cidr, r.kind), t('admin.unblocked_notice', { source: r.cidr }))}>
                        {t('admin.unblock_named', { source: r.cidr })}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section aria-labelledby="forensics-h" class="card">
          <h2 id="forensics-h">{t('admin.forensics')}</h2>
          <p id="forensics-zone" class="muted">{t('common.times_in_zone', { zone: zoneLabel() })}</p>
          <form class="grid" onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.target as HTMLFormElement);
            location.assign(api.forensicsCsvUrl(String(f.get('from')), String(f.get('to'))));
          }}>
            <label for="f-from">{t('admin.from')}</label>
            <input id="f-from" name="from" type="datetime-local" required defaultValue={localInput(new Date(now.getTime() - 3_600_000))}
              aria-describedby="forensics-zone" />
            <label for="f-to">{t('admin.to')}</label>
            <input id="f-to" name="to" type="datetime-local" required defaultValue={localInput(new Date(now.getTime() + 60_000))}
              aria-describedby="forensics-zone" />
            <button type="submit">{t('admin.export_csv')}</button>
          </form>
        </section>
        </>
      )}
    </section>
  );
}

export function Users() {
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<User[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const search = async (more: boolean) => {
    try {
      const page = await api.searchUsers(query.trim(), more ? cursor ?? undefined : undefined);
      setItems(more && items ? [...items, ...page.items] : page.items);
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.status === 400) setItems([]);
    }
  };
  return (
    <section>
      <PageTitle>{t('users.title')}</PageTitle>
      <form role="search" class="row" onSubmit={(e) => {
        e.preventDefault();
        search(false);
      }}>
        <label for="q">{t('users.query')}</label>
        <input id="q" type="search" required maxLength={64} value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">{t('users.search')}</button>
      </form>
      <ErrorNote error={error} />
      <p role="status">{items ? t('users.count', { count: items.length }) : ''}</p>
      {items && items.length > 0 && (
        <table>
          <caption>{t('users.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('users.name')}</th>
              <th scope="col">{t('users.username')}</th>
              <th scope="col">{t('users.role')}</th>
              <th scope="col">{t('users.grade')}</th>
              <th scope="col">{t('users.support')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.name}</th>
                <td>{u.username}</td>
                <td>{t(`role.${u.role}` as MessageKey)}</td>
                <td>{u.grade ?? '–'}</td>
                <td>
                  <Link href={`/admin/users/${u.id}/diagnostics`}>{t('users.diagnose', { name: u.name })}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && <button type="button" onClick={() => search(true)}>{t('users.more')}</button>}
    </section>
  );
}
