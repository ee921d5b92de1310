// Small shared pieces: page heading that takes focus, lazy pages, errors, the confirm dialog.
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { School } from '../api/types';
import { t, type MessageKey } from '../i18n';
import { refreshWhileVisible } from './refresh';

// The page's <h1>; focused when the page mounts so that a screen reader announces the new page and
// keyboard users start from its top (focus management on route change).
export function PageTitle(props: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
    document.title = `${ref.current?.textContent ?? ''} · Homeroom`;
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {props.children}
    </h1>
  );
}

export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyPage(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      load().then(
        (c) => {
          loaded = c;
          setComponent(() => c);
        },
        () => setFailed(true),
      );
    }, []);
    if (failed) return <p role="alert">{t('error.load')}</p>;
    if (!Component) return <p role="status">{t('common.loading')}</p>;
    return <Component {...props} />;
  };
}

// A form's own refusal before anything is sent ("choose at least one day"): its catalog key.
export class FormError extends Error {
  constructor(readonly key: MessageKey) {
    super(key);
  }
}

// A user-facing sentence for an API failure, from the catalogs: chosen by the error's code (and
// its finer `reason` where the server gives one), never the server's English message, which
// ErrorNote shows only as a secondary detail.
export function errorText(e: unknown): string {
  if (e instanceof FormError) return t(e.key);
  if (e instanceof ApiError) {
    switch (e.reason) {
      case 'past_due':
        return t('error.past_due');
      case 'quota_exceeded':
        return t('error.quota_exceeded');
      case 'file_too_large':
        return t('error.file_too_large');
      case 'type_not_allowed':
        return t('error.type_not_allowed');
      case 'empty_file':
        return t('error.empty_file');
      case 'invalid_name':
        return t('error.invalid_name');
      case 'not_your_file':
        return t('error.not_your_file');
    }
    switch (e.code) {
      case 'unauthenticated':
        return t('error.unauthenticated');
      case 'permission_denied':
        return t('error.permission');
      case 'not_found':
        return t('error.not_found');
      case 'conflict':
        return t('error.conflict');
      case 'payload_too_large':
        return t('error.file_too_large');
      case 'unsupported_media_type':
        return t('error.type_not_allowed');
      case 'invalid_argument':
        return t('error.invalid');
      case 'rate_limited':
        return t('error.rate_limited', { seconds: e.retryAfterS ?? 5 });
      case 'unavailable':
      case 'challenge_required':
      case 'deadline_exceeded':
        return t('error.busy');
      default:
        return t('error.generic');
    }
  }
  return t('error.network');
}

// What the server said, for the codes where its message names the field or the rule at fault
// ("ends_at must be after starts_at"); it is English (the API's language), so it stays folded
// away under a translated summary and is marked lang="en" for screen readers.
function serverDetail(e: unknown): string | null {
  if (!(e instanceof ApiError) || e.reason) return null;
  if (e.code !== 'invalid_argument' && e.code !== 'conflict') return null;
  return e.message || null;
}

export function ErrorNote(props: { error: unknown }) {
  if (!props.error) return null;
  const detail = serverDetail(props.error);
  return (
    <div class="error" role="alert">
      <p>{errorText(props.error)}</p>
      {detail && (
        <details>
          <summary>{t('error.details')}</summary>
          <span lang="en">{detail}</span>
        </details>
      )}
    </div>
  );
}

// Loads data once (and again when `deps` change); returns [data, error, reload].
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): [T | null, unknown, () => void] {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(null)),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [data, error, () => setTick((n) => n + 1)];
}

// A modal confirmation on the native <dialog>: focus moves into it, Escape cancels, and focus
// returns to the control that opened it.
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirm: string;
  onConfirm: () => void;
  class?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const close = () => {
    dialog.current?.close();
    opener.current?.focus();
  };
  return (
    <>
      <button type="button" class={props.class} ref={opener} onClick={() => dialog.current?.showModal()}>
        {props.label}
      </button>
      <dialog ref={dialog} aria-label={props.question} onClose={() => opener.current?.focus()}>
        <p>{props.question}</p>
        <div class="row">
          <button type="button" onClick={close} autoFocus>
            {t('common.cancel')}
          </button>
          <button
            type="button"
            class="danger"
            onClick={() => {
              close();
              props.onConfirm();
            }}
          >
            {props.confirm}
          </button>
        </div>
      </dialog>
    </>
  );
}

// The schools an administrator runs, one chosen (the first until they pick another): the picker
// that starts an admin's page about one school.
export function useSchoolChoice(): {
  school: School | undefined;
  picker: ComponentChildren;
  error: unknown;
} {
  const [schools, error] = useLoad(() => api.schools(), []);
  const [schoolId, setSchoolId] = useState<number | null>(null);
  const list = schools?.items ?? [];
  const school = list.find((s) => s.id === schoolId) ?? list[0];
  const picker = list.length > 0 && (
    <p>
      <label>
        {t('teacher.school')}{' '}
        <select value={school?.id} onChange={(e) => setSchoolId(Number((e.target as HTMLSelectElement).value))}>
          {list.map((s) => (
            <option value={s.id} key={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
    </p>
  );
  return { school, picker, error };
}

// Calls `reload` every `everyMs` while the page is visible and when it comes back into view
// (ui/refresh.ts); stops when the component goes.
export function useRefresh(reload: () => void, everyMs: number) {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => refreshWhileVisible(() => latest.current(), everyMs), [everyMs]);
}
