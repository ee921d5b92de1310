// The shell: skip link, header with navigation, language switch and sign-out, the routed page in
// <main>, and the under-load note shown while a proof of work is being solved.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, onSolving, onUnauthenticated } from './api/client';
import type { Principal } from './api/types';
import { LANGS, lang, setLang, t, type Lang, type MessageKey } from './i18n';
import { Guardian } from './pages/guardian';
import { SignIn } from './pages/signin';
import { Student } from './pages/student';
import { Link, match, navigate, usePath } from './router';
import { homeFor, setUser, user } from './session';
import { lazyPage } from './ui/kit';
import { useSignal } from './ui/signal';

// Pages of the roles that are not on the low-bandwidth path load on demand (docs/web.md, budget).
const Teacher = lazyPage(() => import('./pages/teacher').then((m) => m.Teacher));
const Attendance = lazyPage(() => import('./pages/teacher').then((m) => m.Attendance));
const Room = lazyPage(() => import('./pages/room').then((m) => m.Room));
const Admin = lazyPage(() => import('./pages/admin').then((m) => m.Admin));
const Users = lazyPage(() => import('./pages/admin').then((m) => m.Users));
const TeacherCoursework = lazyPage(() => import('./pages/coursework').then((m) => m.TeacherCoursework));
const Grading = lazyPage(() => import('./pages/coursework').then((m) => m.Grading));
const StudentCoursework = lazyPage(() => import('./pages/coursework').then((m) => m.StudentCoursework));
const GuardianGrades = lazyPage(() => import('./pages/coursework').then((m) => m.GuardianGrades));
const TeacherFeedback = lazyPage(() => import('./pages/feedback').then((m) => m.TeacherFeedback));
const FeedbackReport = lazyPage(() => import('./pages/feedback').then((m) => m.FeedbackReport));
const Pathways = lazyPage(() => import('./pages/pathways').then((m) => m.Pathways));
const SectionDailyAttendance = lazyPage(() => import('./pages/daily_attendance').then((m) => m.SectionDailyAttendance));
const SchoolDailyAttendance = lazyPage(() => import('./pages/daily_attendance').then((m) => m.SchoolDailyAttendance));
const Analytics = lazyPage(() => import('./pages/analytics').then((m) => m.Analytics));
const Diagnostics = lazyPage(() => import('./pages/diagnostics').then((m) => m.Diagnostics));

interface RouteDef {
  pattern: string;
  page: ComponentType<any>;
  roles?: Principal['role'][];
}

const ADMINS: Principal['role'][] = ['school_admin', 'district_admin'];
const ROUTES: RouteDef[] = [
  { pattern: '/student', page: Student, roles: ['student'] },
  { pattern: '/student/coursework', page: StudentCoursework, roles: ['student'] },
  { pattern: '/guardian', page: Guardian, roles: ['guardian'] },
  { pattern: '/guardian/grades', page: GuardianGrades, roles: ['guardian'] },
  { pattern: '/teacher/coursework', page: TeacherCoursework, roles: ['teacher', ...ADMINS] },
  { pattern: '/teacher/assignments/:id', page: Grading, roles: ['teacher', ...ADMINS] },
  { pattern: '/teacher', page: Teacher, roles: ['teacher', ...ADMINS] },
  { pattern: '/teacher/sessions/:id', page: Attendance, roles: ['teacher', ...ADMINS] },
  { pattern: '/teacher/sections/:id/daily-attendance', page: SectionDailyAttendance, roles: ['teacher', ...ADMINS] },
  { pattern: '/admin/daily-attendance', page: SchoolDailyAttendance, roles: ADMINS },
  { pattern: '/room/:id', page: Room, roles: ['student', 'teacher', ...ADMINS] },
  { pattern: '/admin', page: Admin, roles: ADMINS },
  { pattern: '/admin/users', page: Users, roles: ADMINS },
  { pattern: '/admin/users/:id/diagnostics', page: Diagnostics, roles: ADMINS },
  { pattern: '/admin/pathways', page: Pathways, roles: ADMINS },
  { pattern: '/feedback', page: TeacherFeedback, roles: ['teacher'] },
  { pattern: '/admin/feedback', page: FeedbackReport, roles: ADMINS },
  { pattern: '/admin/analytics', page: Analytics, roles: ADMINS },
];

const NAV: Record<Principal['role'], [string, MessageKey][]> = {
  student: [['/student', 'nav.home'], ['/student/coursework', 'nav.coursework']],
  guardian: [['/guardian', 'nav.home'], ['/guardian/grades', 'nav.grades']],
  teacher: [['/teacher', 'nav.classes'], ['/teacher/coursework', 'nav.coursework'], ['/feedback', 'nav.feedback']],
  school_admin: [
    ['/admin/users', 'nav.users'], ['/admin', 'nav.operations'], ['/teacher', 'nav.classes'], ['/teacher/coursework', 'nav.coursework'],
    ['/admin/daily-attendance', 'nav.attendance'], ['/admin/pathways', 'nav.pathways'],
    ['/admin/feedback', 'nav.feedback'], ['/admin/analytics', 'nav.analytics'],
  ],
  district_admin: [
    ['/admin', 'nav.operations'], ['/admin/users', 'nav.users'], ['/teacher', 'nav.classes'],
    ['/teacher/coursework', 'nav.coursework'], ['/admin/daily-attendance', 'nav.attendance'],
    ['/admin/pathways', 'nav.pathways'], ['/admin/feedback', 'nav.feedback'], ['/admin/analytics', 'nav.analytics'],
  ],
};

// Switching shows the language at once and, when signed in, saves it for the user (it follows
// them to their other devices; docs/api.md, "Preferences").
function choose(next: Lang) {
  setLang(next);
  const me = user.get();
  if (!me) return;
  me.language = next;
  api.savePreferences({ language: next }).catch(() => {
    // not saved (offline, busy): it still applies on this device; the next switch saves again
  });
}

function LanguageSwitch() {
  const current = useSignal(lang);
  return (
    <label class="lang">
      <span>{t('nav.language')}</span>{' '}
      <select value={current} onChange={(e) => choose((e.target as HTMLSelectElement).value as Lang)}>
        {LANGS.map((l) => (
          <option value={l.code} lang={l.code} key={l.code}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function App() {
  const me = useSignal(user);
  const current = usePath();
  useSignal(lang); // re-render every string when the language changes
  const [solving, setSolving] = useState(false);

  useEffect(() => {
    document.documentElement.lang = lang.get();
    onUnauthenticated(() => {
      setUser(null);
      navigate('/signin', true);
    });
    const off = onSolving(setSolving);
    api.me().then(
      (p) => setUser(p),
      () => setUser(null),
    );
    return off;
  }, []);

  let body;
  if (me === undefined) {
    body = <p role="status">{t('common.loading')}</p>;
  } else if (me === null || current === '/signin' || current === '/activate') {
    if (me && (current === '/signin' || current === '/activate')) {
      navigate(homeFor(me.role), true);
      return null;
    }
    if (!me && current !== '/signin' && current !== '/activate') {
      navigate('/signin', true);
      return null;
    }
    body = <SignIn activate={current === '/activate'} />;
  } else {
    let found: { def: RouteDef; params: Record<string, string> } | null = null;
    for (const def of ROUTES) {
      const params = match(def.pattern, current);
      if (params) {
        found = { def, params };
        break;
      }
    }
    if (!found || (found.def.roles && !found.def.roles.includes(me.role))) {
      if (current === '/' || !found) {
        navigate(homeFor(me.role), true);
        return null;
      }
      body = <p role="alert">{t('error.permission')}</p>;
    } else {
      const Page = found.def.page;
      body = <Page key={current} {...found.params} me={me} />;
    }
  }

  return (
    <>
      <a class="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header class="top">
        <span class="brand">Homeroom</span>
        {me && (
          <nav aria-label={t('nav.main')}>
            <ul>
              {NAV[me.role].map(([href, key]) => (
                <li key={href}>
                  <Link href={href} aria-current={current === href ? 'page' : undefined}>
                    {t(key)}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="spacer" />
        <LanguageSwitch />
        {me && (
          <span class="who">
            {t('nav.signed_in_as', { name: me.name })}{' '}
            <button
              type="button"
              onClick={async () => {
                try {
                  await api.logout();
                } finally {
                  setUser(null);
                  navigate('/signin');
                }
              }}
            >
              {t('nav.sign_out')}
            </button>
          </span>
        )}
      </header>
      {solving && (
        <p class="banner" role="status">
          {t('common.checking_connection')}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {body}
      </main>
    </>
  );
}
