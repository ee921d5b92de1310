// Coursework pages (docs/api.md, "Coursework"): the teacher's assignments, "to grade" queue and
// grading; the student's assignments with Turn in; the guardian's view of each child's grades.
// Files go up one by one as raw bodies (uploadFile), then their ids are attached.
import { useState } from 'preact/hooks';
import { api, uploadFile } from '../api/client';
import type { Assignment, Principal, Section, StoredFile, Submission } from '../api/types';
import { districtInput, formatDateTime, t, zoneLabel } from '../i18n';
import { Link } from '../router';
import { ErrorNote, PageTitle, useLoad } from '../ui/kit';

// Uploads the files chosen in a file input, in order; their ids.
async function uploadAll(input: HTMLInputElement | null): Promise<number[]> {
  const ids: number[] = [];
  for (const file of Array.from(input?.files ?? [])) ids.push((await uploadFile(file)).id);
  return ids;
}

function FileLinks(props: { files: StoredFile[] }) {
  if (props.files.length === 0) return null;
  return (
    <ul class="files">
      {props.files.map((f) => (
        <li key={f.id}>
          <a href={f.url} download={f.name}>
            {f.name}
          </a>
        </li>
      ))}
    </ul>
  );
}

function GradeText(props: { submission: Submission | null | undefined; points: number; pastDue?: boolean }) {
  const s = props.submission;
  if (!s && props.pastDue) return <span class="badge">{t('coursework.missing')}</span>;
  if (!s) return <span>{t('coursework.not_turned_in')}</span>;
  return (
    <span>
      {s.grade
        ? t('coursework.graded', { score: s.grade.score, points: props.points })
        : t('coursework.turned_in')}
      {s.late && (
        <>
          {' '}
          <span class="badge">{t('coursework.late')}</span>
        </>
      )}
    </span>
  );
}

// --- Teacher ---------------------------------------------------------------------------------

function SectionCoursework(props: { section: Section }) {
  const [list, error, reload] = useLoad(() => api.sectionAssignments(props.section.id), [props.section.id]);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = props.section.id;

  const onCreate = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    setActionError(null);
    setBusy(true);
    try {
      const attachment_ids = await uploadAll(form.querySelector<HTMLInputElement>('input[type=file]'));
      // The district's wall-clock time, sent without an offset: the server reads it in its zone.
      await api.createAssignment(id, {
        title: String(f.get('title')),
        instructions: String(f.get('instructions')),
        due_at: String(f.get('due_at')),
        points: Number(f.get('points')),
        attachment_ids,
      });
      form.reset();
      reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby={`cw-${id}`}>
      <h2 id={`cw-${id}`}>{t('coursework.section', { title: props.section.title })}</h2>
      <ErrorNote error={error || actionError} />
      {list && list.items.length === 0 && <p>{t('coursework.none')}</p>}
      <ul class="sessions">
        {list?.items.map((a) => (
          <li key={a.id}>
            <strong>{a.title}</strong>{' '}
            <span class="muted">
              {t('coursework.due_at', { when: formatDateTime(a.due_at, a.time_zone) })} ·{' '}
              {t('coursework.points_count', { points: a.points })}
            </span>{' '}
            <Link href={`/teacher/assignments/${a.id}`}>{t('coursework.submissions_link', { title: a.title })}</Link>
          </li>
        ))}
      </ul>
      <details>
        <summary>{t('coursework.new')}</summary>
        <form onSubmit={onCreate}>
          <label class="field">
            {t('coursework.title')}
            <input name="title" required maxLength={200} />
          </label>
          <label class="field">
            {t('coursework.instructions')}
            <textarea name="instructions" rows={3} maxLength={20000} />
          </label>
          <label class="field">
            {t('coursework.due', { zone: zoneLabel() })}
            <input
              name="due_at"
              type="datetime-local"
              required
              defaultValue={districtInput(new Date(Date.now() + 7 * 86_400_000))}
            />
          </label>
          <label class="field">
            {t('coursework.points')}
            <input name="points" type="number" min={1} max={10000} required defaultValue="10" />
          </label>
          <label class="field">
            {t('coursework.attachments')}
            <input name="files" type="file" multiple />
          </label>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('common.working') : t('coursework.create')}
          </button>
        </form>
      </details>
    </section>
  );
}

export function TeacherCoursework(_props: { me: Principal }) {
  const [sections, error] = useLoad(() => api.mySections());
  const [queue, queueError] = useLoad(() => api.toGrade());
  return (
    <section>
      <PageTitle>{t('coursework.teacher_title')}</PageTitle>
      <ErrorNote error={error || queueError} />
      <section class="card" aria-labelledby="queue-h">
        <h2 id="queue-h">{t('coursework.to_grade')}</h2>
        {!queue && <p role="status">{t('common.loading')}</p>}
        {queue && queue.items.length === 0 && <p>{t('coursework.nothing_to_grade')}</p>}
        <ul>
          {queue?.items.map((s) => (
            <li key={s.id}>
              <Link href={`/teacher/assignments/${s.assignment_id}`}>
                {t('coursework.queue_item', { student: s.student_name ?? '', title: s.assignment.title })}
              </Link>
              {s.late && (
                <>
                  {' '}
                  <span class="badge">{t('coursework.late')}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      </section>
      {sections?.items.map((s) => <SectionCoursework section={s} key={s.id} />)}
    </section>
  );
}

function GradeForm(props: { submission: Submission; points: number; onSaved: () => void }) {
  const s = props.submission;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const onSave = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setError(null);
    setBusy(true);
    try {
      await api.grade(s.id, Number(f.get('score')), String(f.get('comment')));
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const name = s.student_name ?? String(s.student_id);
  return (
    <form onSubmit={onSave} aria-label={t('coursework.save_grade', { name })}>
      <ErrorNote error={error} />
      <label class="field">
        {t('coursework.score', { points: props.points })}
        <input
          name="score"
          type="number"
          min={0}
          max={props.points}
          step="0.01"
          required
          defaultValue={s.grade ? String(s.grade.score) : ''}
        />
      </label>
      <label class="field">
        {t('coursework.comment')}
        <textarea name="comment" rows={2} defaultValue={s.grade?.comment ?? ''} />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {t('coursework.save_grade', { name })}
      </button>
    </form>
  );
}

export function Grading(props: { id: string; me: Principal }) {
  const [data, error, reload] = useLoad(() => api.submissions(Number(props.id)), [props.id]);
  const a = data?.assignment;
  return (
    <section>
      <PageTitle>{t('coursework.submissions_title', { title: a?.title ?? '' })}</PageTitle>
      <ErrorNote error={error} />
      {a && (
        <p class="muted">
          {t('coursework.due_at', { when: formatDateTime(a.due_at, a.time_zone) })} ·{' '}
          {t('coursework.points_count', { points: a.points })}
        </p>
      )}
      {data && data.items.length === 0 && <p>{t('coursework.no_submissions')}</p>}
      {data?.items.map((s) => (
        <section class="card" aria-labelledby={`sub-${s.id}`} key={s.id}>
          <h2 id={`sub-${s.id}`}>{s.student_name}</h2>
          <p class="muted">
            {t('coursework.submitted_at', { when: formatDateTime(s.submitted_at, a?.time_zone) })}{' '}
            <GradeText submission={s} points={a?.points ?? 0} />
          </p>
          {s.text && <p class="work">{s.text}</p>}
          <FileLinks files={s.files} />
          <GradeForm submission={s} points={a?.points ?? 0} onSaved={reload} />
        </section>
      ))}
    </section>
  );
}

// --- Student ---------------------------------------------------------------------------------

function TurnIn(props: { a: Assignment; onSaved: () => void }) {
  const a = props.a;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  if (a.past_due && a.submission) return <p>{t('coursework.closed')}</p>;
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    setError(null);
    setSaved(false);
    setBusy(true);
    try {
      const ids = await uploadAll(form.querySelector<HTMLInputElement>('input[type=file]'));
      await api.submit(a.id, String(f.get('text')), ids);
      setSaved(true);
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const label = a.submission ? t('coursework.turn_in_again') : t('coursework.turn_in');
  return (
    <form onSubmit={onSubmit} aria-label={`${label}: ${a.title}`}>
      <ErrorNote error={error} />
      <label class="field">
        {t('coursework.your_work')}
        <textarea name="text" rows={4} maxLength={50000} defaultValue={a.submission?.text ?? ''} />
      </label>
      <label class="field">
        {t('coursework.files')}
        <input name="files" type="file" multiple />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t('common.working') : label}
      </button>
      {saved && <p role="status">{t('coursework.saved')}</p>}
    </form>
  );
}

export function StudentCoursework(props: { me: Principal }) {
  const [data, error, reload] = useLoad(() => api.studentCoursework(props.me.id));
  return (
    <section>
      <PageTitle>{t('coursework.student_title')}</PageTitle>
      <ErrorNote error={error} />
      {!data && !error && <p role="status">{t('common.loading')}</p>}
      {data && data.items.length === 0 && <p>{t('coursework.none')}</p>}
      {data?.items.map((a) => (
        <section class="card" aria-labelledby={`a-${a.id}`} key={a.id}>
          <h2 id={`a-${a.id}`}>{a.title}</h2>
          <p class="muted">
            {a.section_title} · {t('coursework.due_at', { when: formatDateTime(a.due_at, a.time_zone) })} ·{' '}
            {t('coursework.points_count', { points: a.points })}
          </p>
          {a.instructions && <p class="work">{a.instructions}</p>}
          <FileLinks files={a.attachments} />
          <p>
            <GradeText submission={a.submission} points={a.points} pastDue={a.past_due} />
          </p>
          {a.submission?.grade?.comment && (
            <p>
              {t('coursework.comment')}: {a.submission.grade.comment}
            </p>
          )}
          <TurnIn a={a} onSaved={reload} />
        </section>
      ))}
    </section>
  );
}

// --- Guardian --------------------------------------------------------------------------------

function ChildGrades(props: { id: number; name: string }) {
  const [data, error] = useLoad(() => api.studentCoursework(props.id), [props.id]);
  // An alert per assignment past its due date with nothing turned in (issue 6, section 3).
  const missing = (data?.items ?? []).filter((a) => a.past_due && !a.submission);
  return (
    <section class="card" aria-labelledby={`grades-${props.id}`}>
      <h2 id={`grades-${props.id}`}>{props.name}</h2>
      <ErrorNote error={error} />
      {data && data.items.length === 0 && <p>{t('coursework.none')}</p>}
      {data && (
        <div role="region" aria-labelledby={`missing-${props.id}`}>
          <h3 id={`missing-${props.id}`}>{t('coursework.missing_work')}</h3>
          {missing.length === 0 ? (
            <p>{t('coursework.no_missing')}</p>
          ) : (
            <ul>
              {missing.map((a) => (
                <li key={a.id}>
                  {a.title} · {a.section_title} ·{' '}
                  {t('coursework.due_at', { when: formatDateTime(a.due_at, a.time_zone) })}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {data && data.items.length > 0 && (
        <table>
          <caption>{t('coursework.caption', { name: props.name })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('coursework.assignment')}</th>
              <th scope="col">{t('coursework.class')}</th>
              <th scope="col">{t('coursework.due_column')}</th>
              <th scope="col">{t('coursework.grade')}</th>
              <th scope="col">{t('coursework.comment')}</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((a) => (
              <tr key={a.id}>
                <td>{a.title}</td>
                <td>{a.section_title}</td>
                <td>{formatDateTime(a.due_at, a.time_zone)}</td>
                <td>
                  <GradeText submission={a.submission} points={a.points} pastDue={a.past_due} />
                </td>
                <td>{a.submission?.grade?.comment ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function GuardianGrades(_props: { me: Principal }) {
  const [children, error] = useLoad(() => api.myChildren());
  return (
    <section>
      <PageTitle>{t('coursework.guardian_title')}</PageTitle>
      <ErrorNote error={error} />
      {!children && !error && <p role="status">{t('common.loading')}</p>}
      {children && children.items.length === 0 && <p>{t('guardian.no_children')}</p>}
      {children?.items.map((c) => <ChildGrades id={c.id} name={c.name} key={c.id} />)}
    </section>
  );
}
