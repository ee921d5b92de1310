// Alternate pathways (docs/api.md, "Pathways"): the district's and schools' rules for administrators
// (/admin/pathways), and a section's external meeting link (on the class page, MeetingLinkForm).
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { PathwayRule, Principal } from '../api/types';
import { t } from '../i18n';
import { ConfirmButton, ErrorNote, PageTitle, useLoad } from '../ui/kit';

export function MeetingLinkForm(props: { sectionId: number }) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const url = String(new FormData(e.target as HTMLFormElement).get('url'));
    setError(null);
    setSaved(false);
    try {
      await api.setMeetingLink(props.sectionId, url);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="row" onSubmit={onSubmit}>
      <label for={`link-${props.sectionId}`}>{t('pathways.meeting_link')}</label>
      <input id={`link-${props.sectionId}`} name="url" type="url" required pattern="https://.*"
        placeholder="https://" maxLength={2048} />
      <button type="submit">{t('pathways.save_link')}</button>
      <ErrorNote error={error} />
      {saved && <p role="status">{t('pathways.link_saved')}</p>}
    </form>
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
