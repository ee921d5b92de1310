// Teacher feedback (docs/api.md, "Teacher feedback"): a teacher's form and what they sent; the
// administrators' report (by school, by grade band, and the entries) for the schools they run.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { FeedbackCategory, FeedbackEntry, FeedbackGroup } from '../api/types';
import { dayKey, formatDateTime, formatNumber, t, type MessageKey } from '../i18n';
import { ErrorNote, PageTitle, useLoad } from '../ui/kit';

const CATEGORIES: FeedbackCategory[] = ['connectivity', 'platform', 'content', 'other'];
// The server's --feedback-max-text-chars default; the server has the last word.
const MAX_TEXT_CHARS = 2000;

const categoryKey = (c: FeedbackCategory) => `feedback.category_${c}` as MessageKey;

function EntryList(props: { items: FeedbackEntry[]; showTeacher: boolean }) {
  if (props.items.length === 0) return <p>{t('feedback.none')}</p>;
  return (
    <ul class="feedback-list">
      {props.items.map((e) => (
        <li key={e.id}>
          <p>
            <strong>{t('feedback.rating_of', { rating: e.rating })}</strong> · {t(categoryKey(e.category))}
            {' · '}
            <span class="muted">
              {props.showTeacher ? `${e.teacher_name} · ` : ''}
              {formatDateTime(e.created_at)}
            </span>
          </p>
          <p>{e.text}</p>
        </li>
      ))}
    </ul>
  );
}

export function TeacherFeedback() {
  const [sections] = useLoad(() => api.mySections(), []);
  const [mine, mineError, reload] = useLoad(() => api.feedback({}), []);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const section = String(f.get('section') ?? '');
    setError(null);
    setSent(false);
    setBusy(true);
    try {
      await api.sendFeedback({
        rating: Number(f.get('rating')),
        category: String(f.get('category')) as FeedbackCategory,
        text: String(f.get('text')),
        section_id: section ? Number(section) : null,
      });
      form.reset();
      setSent(true);
      reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>{t('feedback.title')}</PageTitle>
      <p>{t('feedback.intro')}</p>
      <form class="card" onSubmit={onSubmit}>
        <fieldset>
          <legend>{t('feedback.rating')}</legend>
          <div class="row">
            {[1, 2, 3, 4, 5].map((r) => (
              <label key={r}>
                <input type="radio" name="rating" value={r} required /> {t('feedback.rating_of', { rating: r })}
              </label>
            ))}
          </div>
        </fieldset>
        <label>
          {t('feedback.category')}
          <select name="category" required>
            {CATEGORIES.map((c) => (
              <option value={c} key={c}>
                {t(categoryKey(c))}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('feedback.section')}
          <select name="section">
            <option value="">{t('feedback.section_none')}</option>
            {(sections?.items ?? []).map((s) => (
              <option value={s.id} key={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('feedback.text')}
          <textarea name="text" required maxLength={MAX_TEXT_CHARS} rows={5} />
        </label>
        <ErrorNote error={error} />
        {sent && <p role="status">{t('feedback.sent')}</p>}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('common.working') : t('feedback.send')}
        </button>
      </form>
      <section aria-labelledby="mine-h" class="card">
        <h2 id="mine-h">{t('feedback.mine')}</h2>
        <ErrorNote error={mineError} />
        {mine && <EntryList items={mine.items} showTeacher={false} />}
      </section>
    </>
  );
}

function GroupCells(props: { g: FeedbackGroup }) {
  return (
    <>
      <td>{props.g.count}</td>
      <td>{props.g.average_rating === null ? '–' : formatNumber(props.g.average_rating, 2, 2)}</td>
      {CATEGORIES.map((c) => (
        <td key={c}>{props.g.by_category[c]}</td>
      ))}
    </>
  );
}

function GroupTable(props: { caption: string; first: string; rows: { name: string; g: FeedbackGroup }[] }) {
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{props.first}</th>
          <th scope="col">{t('feedback.entries')}</th>
          <th scope="col">{t('feedback.average')}</th>
          {CATEGORIES.map((c) => (
            <th scope="col" key={c}>
              {t(categoryKey(c))}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={r.name}>
            <th scope="row">{r.name}</th>
            <GroupCells g={r.g} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function FeedbackReport() {
  const today = dayKey(new Date());
  const monthAgo = dayKey(new Date(Date.now() - 29 * 86_400_000));
  const [range, setRange] = useState({ from: monthAgo, to: today });
  const [summary, summaryError] = useLoad(() => api.feedbackSummary(range), [range.from, range.to]);
  const [entries, entriesError] = useLoad(() => api.feedback(range), [range.from, range.to]);

  const onRange = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setRange({ from: String(f.get('from')), to: String(f.get('to')) });
  };
  const band = (b: string | null) => (b === 'prek-5' ? t('feedback.band_prek5') : b === '6-12' ? t('feedback.band_6_12') : t('feedback.band_mixed'));

  return (
    <>
      <PageTitle>{t('feedback.report_title')}</PageTitle>
      <form class="card row" onSubmit={onRange}>
        <label>
          {t('feedback.from')} <input type="date" name="from" value={range.from} required />
        </label>
        <label>
          {t('feedback.to')} <input type="date" name="to" value={range.to} required />
        </label>
        <button type="submit">{t('feedback.show')}</button>
      </form>
      <ErrorNote error={summaryError || entriesError} />
      {summary && (
        <section aria-labelledby="summary-h" class="card">
          <h2 id="summary-h">{t('feedback.summary')}</h2>
          <p>
            {t('feedback.overall', {
              count: summary.overall.count,
              average: summary.overall.average_rating === null ? '–' : formatNumber(summary.overall.average_rating, 2, 2),
            })}
          </p>
          {summary.overall.count > 0 && (
            <>
              <GroupTable caption={t('feedback.by_band')} first={t('feedback.grade_band')}
                rows={summary.by_grade_band.map((g) => ({ name: band(g.grade_band), g }))} />
              <GroupTable caption={t('feedback.by_school')} first={t('feedback.school')}
                rows={summary.by_school.map((g) => ({ name: g.school_name ?? t('feedback.no_school'), g }))} />
            </>
          )}
        </section>
      )}
      {entries && (
        <section aria-labelledby="entries-h" class="card">
          <h2 id="entries-h">{t('feedback.latest')}</h2>
          <EntryList items={entries.items} showTeacher />
        </section>
      )}
    </>
  );
}
