// Alternate pathways (docs/api.md, "Pathways"): the district's and schools' rules for administrators
// (/admin/pathways), and on the teacher's class page a section's pathway today, its own rules and its
// external meeting link (SectionPathwayPanel, MeetingLinkForm).
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { PathwayRule, Principal } from '../api/types';
import { t } from '../i18n';
import { ConfirmButton, ErrorNote, PageTitle, useLoad } from '../ui/kit';

export function MeetingLinkForm(props: { sectionId: number; onSaved?: () => void }) {
  const [current, , reload] = useLoad(() => api.meetingLink(props.sectionId), [props.sectionId]);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const act = async (fn: () => Promise<unknown>, message: string) => {
    setError(null);
    setDone('');
    try {
      await fn();
      setDone(message);
      reload();
      props.onSaved?.();
    } catch (err) {
      setError(err);
    }
  };
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const url = String(new FormData(e.target as HTMLFormElement).get('url'));
    void act(() => api.setMeetingLink(props.sectionId, url), t('pathways.link_saved'));
  };
  return (
    <form class="row" onSubmit={onSubmit}>
      {current?.url && (
        <p>
          {t('pathways.saved_link', { url: current.url })}{' '}
          <ConfirmButton label={t('pathways.remove_link')} question={t('pathways.remove_link_question')}
            confirm={t('pathways.remove_link')}
            onConfirm={() => void act(() => api.deleteMeetingLink(props.sectionId), t('pathways.link_removed'))} />
        </p>
      )}
      <label for={`link-${props.sectionId}`}>{t('pathways.meeting_link')}</label>
      <input id={`link-${props.sectionId}`} name="url" type="url" required pattern="https://.*"
        placeholder="https://" maxLength={2048} />
      <button type="submit">{t('pathways.save_link')}</button>
      <ErrorNote error={error} />
      {done && <p role="status">{done}</p>}
    </form>
  );
}

const pathwayText = (p: PathwayRule['pathway']) => (p === 'external' ? t('pathways.external') : t('pathways.built_in'));

// The class page's pathway area: what Join does in the section today and which rule decides it,
// the section's meeting link, a form that adds a section rule, and the section's own rules.
export function SectionPathwayPanel(props: { sectionId: number }) {
  const id = props.sectionId;
  const [mine, mineError, reloadMine] = useLoad(() => api.myPathways(), [id]);
  const [rules, rulesError, reloadRules] = useLoad(() => api.pathwayRules(), [id]);
  const [choice, setChoice] = useState<PathwayRule['pathway']>('built_in');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  const reload = () => {
    reloadMine();
    reloadRules();
  };
  const today = mine?.items.find((p) => p.section_id === id);
  const deciding = today?.rule_id == null ? null : rules?.items.find((r) => r.id === today.rule_id);
  const own = (rules?.items ?? [])
    .filter((r) => r.scope === 'section' && r.scope_id === id)
    .sort((a, b) => a.effective_from.localeCompare(b.effective_from) || a.id - b.id);

  const act = async (fn: () => Promise<unknown>, message: string) => {
    setError(null);
    setDone('');
    try {
      await fn();
      setDone(message);
    } catch (e) {
      setError(e);
    }
    reload();
  };
  const onAdd = (e: Event) => {
    e.preventDefault();
    const from = String(new FormData(e.target as HTMLFormElement).get('effective_from'));
    act(() => api.addSectionPathwayRule(id, choice, from || undefined), t('pathways.rule_added'));
  };

  let source = '';
  if (today) {
    if (today.rule_id == null) source = t('pathways.source_default');
    else if (deciding?.scope === 'district') source = t('pathways.source_district');
    else if (deciding?.scope === 'school') source = t('pathways.source_school');
    else if (deciding?.scope === 'section') source = t('pathways.source_section');
  }
  const noLink = today?.pathway === 'external' && !today.meeting_url;
  return (
    <section aria-labelledby={`pw-h-${id}`}>
      <h3 id={`pw-h-${id}`}>{t('pathways.class_title')}</h3>
      <ErrorNote error={mineError || rulesError} />
      {today && mine && (
        <p data-pathway={today.pathway}>
          {today.pathway === 'built_in'
            ? t('pathways.today_built_in', { today: mine.today })
            : noLink
              ? t('pathways.today_external_no_link', { today: mine.today })
              : t('pathways.today_external', { today: mine.today, url: today.meeting_url ?? '' })}{' '}
          {source}
        </p>
      )}
      {noLink && (
        <p class="error" role="alert">
          {t('pathways.link_first')}
        </p>
      )}
      <h4>{t('pathways.external_meeting')}</h4>
      <p class="muted">{t('pathways.external_meeting_hint')}</p>
      <MeetingLinkForm sectionId={id} onSaved={reload} />
      <h4>{t('pathways.change')}</h4>
      <form class="grid" onSubmit={onAdd}>
        <label for={`pw-pathway-${id}`}>{t('pathways.pathway')}</label>
        <select id={`pw-pathway-${id}`} name="pathway" value={choice}
          aria-describedby={choice === 'external' ? `pw-needs-${id}` : undefined}
          onChange={(e) => setChoice((e.target as HTMLSelectElement).value as PathwayRule['pathway'])}>
          <option value="built_in">{t('pathways.built_in')}</option>
          <option value="external">{t('pathways.external')}</option>
        </select>
        <label for={`pw-from-${id}`}>{t('pathways.from')}</label>
        <input id={`pw-from-${id}`} name="effective_from" type="date" required key={mine?.today}
          defaultValue={mine?.today ?? ''} />
        <button type="submit" class="primary">{t('pathways.set_submit')}</button>
      </form>
      {choice === 'external' && <p id={`pw-needs-${id}`} class="muted">{t('pathways.needs_link')}</p>}
      <ErrorNote error={error} />
      {done && <p role="status">{done}</p>}
      <h4>{t('pathways.class_rules')}</h4>
      {rules && own.length === 0 && <p>{t('pathways.class_rules_none')}</p>}
      {own.length > 0 && (
        <ul>
          {own.map((r) => {
            const rule = t('pathways.class_rule', { pathway: pathwayText(r.pathway), from: r.effective_from });
            return (
              <li key={r.id} class="row">
                <span>{rule}</span>
                <ConfirmButton label={t('pathways.remove_named', { rule })} question={t('pathways.remove_class_question')}
                  confirm={t('pathways.remove')} class="danger"
                  onConfirm={() => act(() => api.deletePathwayRule(r.id), t('pathways.rule_removed'))} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function scopeText(r: PathwayRule, schools: Map<number, string>): string {
  if (r.scope === 'district') return t('pathways.scope_district');
  if (r.scope === 'school') return schools.get(r.scope_id ?? 0) ?? t('pathways.scope_school_id', { id: r.scope_id ?? 0 });
  return t('pathways.scope_section_id', { id: r.scope_id ?? 0 });
}

export function Pathways(props: { me: Principal }) {
  const [rules, rulesError, reload] = useLoad(() => api.pathwayRules(), []);
  const [schools] = useLoad(() => api.schools(), []);
  const [scope, setScope] = useState<'district' | 'school'>(props.me.role === 'district_admin' ? 'district' : 'school');
  const [error, setError] = useState<unknown>(null);
  const names = new Map((schools?.items ?? []).map((s) => [s.id, s.name]));

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      reload();
    } catch (e) {
      setError(e);
    }
  };
  const onAdd = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const band = String(f.get('grade_band'));
    act(() => api.addPathwayRule({
      scope,
      scope_id: scope === 'school' ? Number(f.get('school')) : null,
      grade_band: band === 'all' ? null : band,
      pathway: String(f.get('pathway')) as PathwayRule['pathway'],
      effective_from: String(f.get('effective_from')) || undefined,
    }));
  };

  return (
    <section>
      <PageTitle>{t('pathways.title')}</PageTitle>
      <p>{t('pathways.intro')}</p>
      <ErrorNote error={rulesError || error} />
      <section aria-labelledby="rules-h" class="card">
        <h2 id="rules-h">{t('pathways.rules')}</h2>
        {rules && rules.items.length === 0 && <p>{t('pathways.none')}</p>}
        {rules && rules.items.length > 0 && (
          <table>
            <caption>{t('pathways.rules_caption', { today: rules.today })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('pathways.scope')}</th>
                <th scope="col">{t('pathways.grade_band')}</th>
                <th scope="col">{t('pathways.pathway')}</th>
                <th scope="col">{t('pathways.from')}</th>
                <th scope="col">{t('pathways.action')}</th>
              </tr>
            </thead>
            <tbody>
              {rules.items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{scopeText(r, names)}</th>
                  <td>{r.grade_band === null ? t('pathways.band_all') : r.grade_band === 'prek-5' ? t('feedback.band_prek5') : t('feedback.band_6_12')}</td>
                  <td>{r.pathway === 'external' ? t('pathways.external') : t('pathways.built_in')}</td>
                  <td>{r.effective_from}</td>
                  <td>
                    <ConfirmButton label={t('pathways.remove')} question={t('pathways.remove_question')}
                      confirm={t('pathways.remove')} class="danger" onConfirm={() => act(() => api.deletePathwayRule(r.id))} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="add-h" class="card">
        <h2 id="add-h">{t('pathways.add')}</h2>
        <form class="grid" onSubmit={onAdd}>
          <label for="p-scope">{t('pathways.scope')}</label>
          <select id="p-scope" value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value as 'district' | 'school')}>
            {props.me.role === 'district_admin' && <option value="district">{t('pathways.scope_district')}</option>}
            <option value="school">{t('pathways.scope_school')}</option>
          </select>
          {scope === 'school' && (
            <>
              <label for="p-school">{t('pathways.school')}</label>
              <select id="p-school" name="school" required>
                {(schools?.items ?? []).map((s) => (
                  <option value={s.id} key={s.id}>{s.name}</option>
                ))}
              </select>
            </>
          )}
          <label for="p-band">{t('pathways.grade_band')}</label>
          <select id="p-band" name="grade_band">
            <option value="all">{t('pathways.band_all')}</option>
            <option value="prek-5">{t('feedback.band_prek5')}</option>
            <option value="6-12">{t('feedback.band_6_12')}</option>
          </select>
          <label for="p-pathway">{t('pathways.pathway')}</label>
          <select id="p-pathway" name="pathway">
            <option value="built_in">{t('pathways.built_in')}</option>
            <option value="external">{t('pathways.external')}</option>
          </select>
          <label for="p-from">{t('pathways.from')}</label>
          <input id="p-from" name="effective_from" type="date" />
          <button type="submit" class="primary">{t('pathways.add_submit')}</button>
        </form>
      </section>
    </section>
  );
}
