// Small shared pieces: page heading that takes focus, lazy pages, errors, the confirm dialog.
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api/client';
import type { School } from '../api/types';
import { t } from '../i18n';

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

// A user-facing sentence for an API failure.
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'unauthenticated':
        return t('error.unauthenticated');
      case 'permission_denied':
        return t('error.permission');
      case 'not_found':
        return t('error.not_found');
      case 'conflict':
        return e.reason === 'past_due' ? t('error.past_due') : t('error.conflict', { detail: e.message });
      case 'payload_too_large':
        return e.reason === 'quota_exceeded' ? t('error.quota_exceeded') : t('error.file_too_large');
      case 'unsupported_media_type':
        return t('error.type_not_allowed');
      case 'invalid_argument':
        return t('error.invalid', { detail: e.message });
      case 'rate_limited':
        return t('error.rate_limited', { seconds: e.retryAfterS ?? 5 });
      case 'unavailable':
      case 'challenge_required':
        return t('error.busy');
      default:
        return t('error.generic');
    }
  }
  return t('error.network');
}

export function ErrorNote(props: { error: unknown }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {errorText(props.error)}
    </p>
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
