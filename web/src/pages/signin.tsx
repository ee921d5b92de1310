// Sign-in with username and password ("remember this device"), or first sign-in with a one-time
// activation code and a new password.
import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { t } from '../i18n';
import { Link, navigate } from '../router';
import { homeFor, setUser } from '../session';
import { ErrorNote, PageTitle } from '../ui/kit';

export function SignIn(props: { activate: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);

  // Signed in: GET /me for the user's saved language and the district's zone, then home.
  const done = async (p: Awaited<ReturnType<typeof api.login>>) => {
    const me = await api.me();
    setUser(me);
    navigate(homeFor(p.user.role), true);
  };

  const onSignIn = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await done(await api.login(String(f.get('username')), String(f.get('password')), f.get('remember') === 'on'));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onActivate = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const password = String(f.get('new_password'));
    setMismatch(password !== String(f.get('confirm_password')));
    if (password !== String(f.get('confirm_password'))) return;
    setBusy(true);
    setError(null);
    try {
      await done(await api.activate(String(f.get('code')).trim(), password));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (props.activate) {
    return (
      <section class="narrow">
        <PageTitle>{t('activate.title')}</PageTitle>
        <p>{t('activate.intro')}</p>
        <form onSubmit={onActivate}>
          <label for="code">{t('activate.code')}</label>
          <input id="code" name="code" required autoComplete="one-time-code" autoCapitalize="characters" />
          <label for="new_password">{t('activate.new_password')}</label>
          <input id="new_password" name="new_password" type="password" required minLength={8} maxLength={128}
            autoComplete="new-password" aria-describedby="pw-hint" />
          <p id="pw-hint" class="hint">{t('activate.password_hint')}</p>
          <label for="confirm_password">{t('activate.confirm_password')}</label>
          <input id="confirm_password" name="confirm_password" type="password" required minLength={8}
            maxLength={128} autoComplete="new-password" />
          {mismatch && <p class="error" role="alert">{t('activate.mismatch')}</p>}
          <ErrorNote error={error} />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('common.working') : t('activate.submit')}
          </button>
        </form>
        <p>
          <Link href="/signin">{t('activate.have_password')}</Link>
        </p>
      </section>
    );
  }

  return (
    <section class="narrow">
      <PageTitle>{t('signin.title')}</PageTitle>
      <form onSubmit={onSignIn}>
        <label for="username">{t('signin.username')}</label>
        <input id="username" name="username" required autoComplete="username" autoCapitalize="none" />
        <label for="password">{t('signin.password')}</label>
        <input id="password" name="password" type="password" required autoComplete="current-password" />
        <label class="check">
          <input type="checkbox" name="remember" /> {t('signin.remember')}
        </label>
        <p class="hint">{t('signin.remember_hint')}</p>
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('common.working') : t('signin.submit')}
        </button>
      </form>
      <p>
        <Link href="/activate">{t('signin.have_code')}</Link>
      </p>
    </section>
  );
}
