// The typed REST client. Authentication is the HttpOnly session cookie the server sets at sign-in
// (never a token in storage a script could read); the browser adds the Origin header the server's
// CSRF rule wants. A `403 challenge_required` (under-attack mode) is solved in a Web Worker and
// the request retried once per fresh challenge, without the user doing anything.
import { ChallengeExpiredError, solveChallenge, type Challenge } from '../pow/pow';
import type {
  Alert, AnalyticsDimension, AnalyticsReport, Assignment, DecisionReport, AttendanceDay, ExternalReconciliation, AttendancePolicy, AttendanceReport, DailyAttendanceReport, Child, FeedbackCategory, FeedbackEntry, FeedbackSummary, QueuedSubmission,
  StoredFile, Submission, GuardRule, GuardRules, GuardStatus, LiveSession, Me, Page, PathwayRule, School,
  SectionPathway, RosterEntry, Section, SignInResponse, StudentDailyAttendance, Timeline, User,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS: number | null = null,
    // A finer cause than `code` where the server gives one ("quota_exceeded").
    readonly reason: string | null = null,
  ) {
    super(message);
  }
}

// Challenges solved for one request before giving up (each failure carries a fresh one).
export const MAX_CHALLENGE_ROUNDS = 3;

type Listener = (solving: boolean) => void;
const solvingListeners = new Set<Listener>();
// Lets the page show a short "checking your connection" note while a proof is being solved.
export function onSolving(listener: Listener): () => void {
  solvingListeners.add(listener);
  return () => solvingListeners.delete(listener);
}

let unauthenticatedHandler: (() => void) | null = null;
// Called when a signed-in request is answered 401 (the session expired or was revoked).
export function onUnauthenticated(handler: () => void) {
  unauthenticatedHandler = handler;
}

interface Options {
  method?: string;
  body?: unknown;
  // Sign-in routes: a 401 is "wrong password", not an expired session.
  anonymous?: boolean;
}

async function parseError(res: Response): Promise<ApiError> {
  let code = 'internal';
  let message = res.statusText;
  let challenge: Challenge | undefined;
  let reason: string | null = null;
  try {
    const body = await res.json();
    code = body?.error?.code ?? code;
    message = body?.error?.message ?? message;
    reason = body?.error?.reason ?? null;
    challenge = body?.error?.challenge;
  } catch {
    // not JSON: keep the status text
  }
  const retry = res.headers.get('Retry-After');
  const err = new ApiError(res.status, code, message, retry ? Number(retry) : null, reason);
  (err as ApiError & { challenge?: Challenge }).challenge = challenge;
  return err;
}

export async function request<T>(path: string, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  for (let round = 0; ; round++) {
    const res = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body,
      credentials: 'same-origin',
    });
    if (res.ok) {
      const type = res.headers.get('Content-Type') ?? '';
      return (type.includes('json') ? await res.json() : await res.text()) as T;
    }
    const err = await parseError(res);
    const challenge = (err as ApiError & { challenge?: Challenge }).challenge;
    if (err.code === 'challenge_required' && challenge && round < MAX_CHALLENGE_ROUNDS) {
      solvingListeners.forEach((l) => l(true));
      try {
        headers[challenge.header || 'X-Homeroom-Proof'] = await solveChallenge(challenge);
      } catch (e) {
        if (e instanceof ChallengeExpiredError) throw new ApiError(503, 'unavailable', 'busy', 5);
        throw e;
      } finally {
        solvingListeners.forEach((l) => l(false));
      }
      continue;
    }
    if (err.status === 401 && !options.anonymous && unauthenticatedHandler) unauthenticatedHandler();
    throw err;
  }
}

// Sends one file as the raw body, its type as Content-Type (the server streams or parses it).
async function sendFile<T>(method: string, path: string, file: File, type?: string): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { Accept: 'application/json', 'Content-Type': type || file.type || 'application/octet-stream' },
    body: file,
    credentials: 'same-origin',
  });
  if (res.ok) return (await res.json()) as T;
  const err = await parseError(res);
  if (err.status === 401 && unauthenticatedHandler) unauthenticatedHandler();
  throw err;
}

// Uploads one file for coursework (streamed to disk; docs/api.md, "Coursework"), its name in the
// query.
export const uploadFile = (file: File) =>
  sendFile<StoredFile>('POST', `/api/v1/files?name=${encodeURIComponent(file.name)}`, file);

// An external meeting's attendance report as exported (docs/api.md, "Pathways").
export const uploadExternalAttendance = (sessionId: number, file: File) =>
  sendFile<ExternalReconciliation>('PUT', `/api/v1/live-sessions/${sessionId}/external-attendance`, file,
    file.type || 'text/csv');

const q = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') s.set(k, String(v));
  const text = s.toString();
  return text ? `?${text}` : '';
};

// GET /api/v1/analytics (docs/api.md, "Analytics"): `by` in the order chosen; `school_id` narrows
// to one school (needed for `section`).
export interface AnalyticsQuery {
  from: string;
  to: string;
  by: AnalyticsDimension[];
  per: 'range' | 'day';
  school_id?: number;
}
const analyticsQuery = (x: AnalyticsQuery) =>
  q({ from: x.from, to: x.to, by: x.by.join(','), per: x.per, school_id: x.school_id });

export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
export interface WeeklySchedule {
  title: string;
  days: Weekday[];
  start: string;
  end: string;
  from: string;
  until: string;
  waiting_room: boolean;
}

export const api = {
  login: (username: string, password: string, remember: boolean) =>
    request<SignInResponse>('/api/v1/auth/login', {
      method: 'POST', body: { username, password, remember }, anonymous: true,
    }),
  activate: (code: string, new_password: string) =>
    request<SignInResponse>('/api/v1/auth/activate', {
      method: 'POST', body: { code, new_password }, anonymous: true,
    }),
  logout: () => request<{ signed_out: boolean }>('/api/v1/auth/logout', { method: 'POST', body: {} }),
  me: () => request<Me>('/api/v1/me', { anonymous: true }),
  savePreferences: (prefs: { language: string | null }) =>
    request<{ language: string | null }>('/api/v1/me/preferences', { method: 'PATCH', body: prefs }),
  mySections: () => request<{ items: Section[] }>('/api/v1/me/sections'),
  myChildren: () => request<{ items: Child[] }>('/api/v1/me/children'),
  myLiveSessions: (from?: string, to?: string) =>
    request<Page<LiveSession>>(`/api/v1/me/live-sessions${q({ from, to, limit: 200 })}`),
  sectionLiveSessions: (id: number, from?: string, to?: string) =>
    request<Page<LiveSession>>(`/api/v1/sections/${id}/live-sessions${q({ from, to, limit: 200 })}`),
  myPathways: () => request<{ items: SectionPathway[]; today: string }>('/api/v1/me/pathways'),
  openExternal: (sessionId: number) =>
    request<{ url: string }>(`/api/v1/live-sessions/${sessionId}/open-external`, { method: 'POST' }),
  schools: () => request<Page<School>>('/api/v1/schools?limit=200'),
  schoolSections: (id: number) => request<Page<Section>>(`/api/v1/schools/${id}/sections?limit=200`),
  sectionRoster: (id: number) => request<Page<RosterEntry>>(`/api/v1/sections/${id}/roster?limit=200`),
  schedule: (sectionId: number, title: string, starts_at: string, ends_at: string, waiting_room: boolean) =>
    request<{ items: LiveSession[] }>(`/api/v1/sections/${sectionId}/live-sessions`, {
      method: 'POST', body: { title, starts_at, ends_at, waiting_room },
    }),
  // A weekly series (docs/api.md, "Live sessions"): one session on each of `days` from `from` to
  // `until` (dates, inclusive) at `start`-`end` (HH:MM), on the district's clocks.
  scheduleWeekly: (sectionId: number, body: WeeklySchedule) =>
    request<{ items: LiveSession[]; series: unknown }>(`/api/v1/sections/${sectionId}/live-sessions`, {
      method: 'POST', body,
    }),
  liveSession: (id: number) => request<LiveSession>(`/api/v1/live-sessions/${id}`),
  start: (id: number) => request<LiveSession>(`/api/v1/live-sessions/${id}/start`, { method: 'POST' }),
  end: (id: number) => request<LiveSession>(`/api/v1/live-sessions/${id}/end`, { method: 'POST' }),
  // `series`: this session and every later one of its series.
  cancel: (id: number, scope: 'occurrence' | 'series' = 'occurrence') =>
    request<{ cancelled: number }>(`/api/v1/live-sessions/${id}/cancel`, { method: 'POST', body: { scope } }),
  attendance: (id: number) => request<AttendanceReport>(`/api/v1/live-sessions/${id}/attendance`),
  searchUsers: (text: string, cursor?: string) =>
    request<Page<User>>(`/api/v1/users${q({ q: text, cursor, limit: 50 })}`),
  guardStatus: () => request<GuardStatus>('/api/v1/admin/status'),
  guardRules: () => request<GuardRules>('/api/v1/admin/blocks'),
  block: (cidr: string, reason: string, ttl_s?: number) =>
    request<GuardRule>('/api/v1/admin/blocks', {
      method: 'POST', body: ttl_s ? { cidr, reason, ttl_s } : { cidr, reason },
    }),
  unblock: (cidr: string, kind: 'block' | 'allow' = 'block') =>
    request<{ removed: string }>(`/api/v1/admin/blocks${q({ cidr, kind })}`, { method: 'DELETE' }),
  setAttackMode: (mode: 'auto' | 'on' | 'off') =>
    request<{ mode: 'auto' | 'on' | 'off'; detected: boolean; under_attack: boolean }>('/api/v1/admin/attack-mode', {
      method: 'PUT', body: { mode },
    }),
  sectionAssignments: (id: number) => request<{ items: Assignment[] }>(`/api/v1/sections/${id}/assignments`),
  createAssignment: (sectionId: number, body: {
    title: string; instructions: string; due_at: string; points: number; attachment_ids: number[];
  }) => request<Assignment>(`/api/v1/sections/${sectionId}/assignments`, { method: 'POST', body }),
  assignment: (id: number) => request<Assignment>(`/api/v1/assignments/${id}`),
  submit: (id: number, text: string, file_ids: number[]) =>
    request<Submission>(`/api/v1/assignments/${id}/submission`, { method: 'PUT', body: { text, file_ids } }),
  submissions: (id: number) =>
    request<{ assignment: Assignment; items: Submission[] }>(`/api/v1/assignments/${id}/submissions`),
  grade: (submissionId: number, score: number, comment: string) =>
    request<Submission>(`/api/v1/submissions/${submissionId}/grade`, { method: 'PUT', body: { score, comment } }),
  toGrade: () => request<{ items: QueuedSubmission[] }>('/api/v1/me/to-grade'),
  sectionDailyAttendance: (id: number, range: { from?: string; to?: string }) =>
    request<DailyAttendanceReport>(`/api/v1/sections/${id}/daily-attendance${q(range)}`),
  schoolDailyAttendance: (id: number, range: { from?: string; to?: string }) =>
    request<DailyAttendanceReport>(`/api/v1/schools/${id}/daily-attendance${q(range)}`),
  overrideAttendance: (sectionId: number, body: { student_id: number; date: string; status: string; reason: string }) =>
    request<AttendanceDay>(`/api/v1/sections/${sectionId}/daily-attendance/overrides`, { method: 'PUT', body }),
  studentDailyAttendance: (id: number) => request<StudentDailyAttendance>(`/api/v1/students/${id}/daily-attendance`),
  myAlerts: () => request<{ lookback_days: number; items: Alert[] }>('/api/v1/me/alerts'),
  attendancePolicy: () => request<AttendancePolicy>('/api/v1/attendance-policy'),
  setAttendancePolicy: (body: Partial<AttendancePolicy>) =>
    request<AttendancePolicy>('/api/v1/attendance-policy', { method: 'PUT', body }),
  studentCoursework: (studentId: number) =>
    request<{ student_id: number; items: Assignment[] }>(`/api/v1/students/${studentId}/coursework`),
  sendFeedback: (body: { rating: number; category: FeedbackCategory; text: string; section_id: number | null }) =>
    request<FeedbackEntry>('/api/v1/feedback', { method: 'POST', body }),
  feedback: (range: { from?: string; to?: string }) =>
    request<Page<FeedbackEntry>>(`/api/v1/feedback${q({ ...range, limit: 50 })}`),
  feedbackSummary: (range: { from?: string; to?: string }) =>
    request<FeedbackSummary>(`/api/v1/feedback/summary${q(range)}`),
  pathwayRules: () => request<{ items: PathwayRule[]; today: string }>('/api/v1/pathway-rules'),
  addPathwayRule: (rule: { scope: string; scope_id: number | null; grade_band: string | null; pathway: string; effective_from?: string }) =>
    request<PathwayRule>('/api/v1/pathway-rules', { method: 'POST', body: rule }),
  // A section's own rule (its teachers may set these): from `effective_from`, default today.
  addSectionPathwayRule: (sectionId: number, pathway: PathwayRule['pathway'], effectiveFrom?: string) =>
    request<PathwayRule>('/api/v1/pathway-rules', {
      method: 'POST',
      body: { scope: 'section', scope_id: sectionId, pathway, effective_from: effectiveFrom },
    }),
  deletePathwayRule: (id: number) => request<{ deleted: number }>(`/api/v1/pathway-rules/${id}`, { method: 'DELETE' }),
  meetingLink: (sectionId: number) =>
    request<{ section_id: number; url: string | null }>(`/api/v1/sections/${sectionId}/meeting-link`),
  deleteMeetingLink: (sectionId: number) =>
    request<{ section_id: number; deleted: boolean }>(`/api/v1/sections/${sectionId}/meeting-link`, { method: 'DELETE' }),
  setMeetingLink: (sectionId: number, url: string) =>
    request<{ section_id: number; url: string }>(`/api/v1/sections/${sectionId}/meeting-link`, { method: 'PUT', body: { url } }),
  analytics: (query: AnalyticsQuery) => request<AnalyticsReport>(`/api/v1/analytics${analyticsQuery(query)}`),
  // Downloads go through the browser itself (a link; the session cookie goes with it).
  analyticsCsvUrl: (query: AnalyticsQuery) => `/api/v1/analytics.csv${analyticsQuery(query)}`,
  decisionReport: (range: { from: string; to: string }) =>
    request<DecisionReport>(`/api/v1/analytics/decision-report${q(range)}`),
  decisionReportUrl: (range: { from: string; to: string }, format: 'csv' | 'json') =>
    `/api/v1/analytics/decision-report${format === 'csv' ? '.csv' : ''}${q(range)}`,
  refreshAnalytics: (range: { from: string; to: string }) =>
    request<{ days: string[]; computed_at: string }>('/api/v1/analytics/refresh', { method: 'POST', body: range }),
  diagnostics: (userId: number) => request<Timeline>(`/api/v1/users/${userId}/diagnostics`),
  // The forensics CSV is downloaded by the browser itself (a link with the cookie).
  forensicsCsvUrl: (from: string, to: string) =>
    `/api/v1/admin/forensics${q({ from, to, format: 'csv' })}`,
};
