// Shapes of REST API v1 (docs/openapi.yaml), only the fields the web app reads.

export type Role = 'student' | 'guardian' | 'teacher' | 'school_admin' | 'district_admin';

export interface Principal {
  id: number;
  username: string;
  name: string;
  role: Role;
  school_ids: number[];
  section_ids: number[];
  child_ids: number[];
}

// GET /api/v1/me: the caller, the language they saved (null: never chosen) and the district's zone.
export interface Me extends Principal {
  language: string | null;
  time_zone: string;
}

export interface SignInResponse {
  token: string;
  expires_at: string;
  remember: boolean;
  user: Principal;
}

export interface Section {
  id: number;
  title: string;
  school_id: number;
  school_name: string;
  course_title: string;
  class_code: string;
  location: string;
  periods: string;
  active: boolean;
}

// GET /api/v1/me/pathways: what Join does in one section today (docs/api.md, "Pathways").
export interface SectionPathway {
  section_id: number;
  pathway: 'built_in' | 'external';
  rule_id: number | null;
  meeting_url: string | null;
}

export interface School {
  id: number;
  name: string;
}

export interface User {
  id: number;
  username: string;
  role: Role;
  given_name: string;
  family_name: string;
  name: string;
  email: string;
  grade: string | null;
  school_ids: number[];
  active: boolean;
}

export interface Child extends User {
  sections: Section[];
}

export type LiveStatus = 'scheduled' | 'live' | 'ended' | 'cancelled';

export interface LiveSession {
  id: number;
  section_id: number;
  series_id: number | null;
  title: string;
  status: LiveStatus;
  starts_at: string;
  ends_at: string;
  local_start?: string;
  local_end?: string;
  time_zone: string;
  waiting_room?: boolean;
  started_at?: string | null;
  ended_at?: string | null;
  section_title?: string;
  children?: { id: number; given_name: string; family_name: string }[];
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface AttendanceItem {
  user_id: number;
  username: string;
  given_name: string;
  family_name: string;
  status: 'present' | 'late' | 'absent';
  minutes_present: number;
  seconds_present: number;
  first_join_at: string | null;
  last_leave_at: string | null;
  present_now: boolean;
  late: boolean;
  left_early: boolean;
  opened_external_at?: string | null;
  external_minutes?: number | null; // from the external meeting's uploaded report
}

export interface AttendanceReport {
  session: LiveSession;
  items: AttendanceItem[];
}

export interface SourceRate {
  source: string;
  rate: number;
}

// A school admin's status (scope 'school') has no addresses: no top_offenders, no sources.
export interface GuardStatus {
  scope: 'district' | 'school';
  load: {
    open_connections: number;
    in_flight: number;
    requests_per_s: number;
    baseline_requests_per_s: number;
    distinct_hosts: number;
    shed_per_s: number;
    rate_limited_per_s: number;
    challenged_per_s: number;
    blocked_requests_per_s: number;
    login_failures_per_s: number;
    websocket_upgrades_per_s: number;
    measured_at: string | null;
  };
  attack: {
    mode: 'auto' | 'on' | 'off';
    detected: boolean;
    under_attack: boolean;
    active: { type: string; since: string; rate: number; peak_rate: number; sources?: string[] }[];
    recent: { type: string; event: 'started' | 'ended'; at: string; rate: number; sources?: string[] }[];
  };
  top_offenders?: { hosts: SourceRate[]; subnets: SourceRate[] };
  blocks: { manual: number; automatic: number };
}

export interface GuardRule {
  kind: 'block' | 'allow';
  cidr: string;
  automatic: boolean;
  reason: string;
  created_by: string;
  since: string;
  until: string | null;
}

export interface GuardRules {
  blocked: GuardRule[];
  allowed: GuardRule[];
}

export interface RosterEntry {
  user_id: number;
  username: string;
  name: string;
  role: string;
}

// Coursework (docs/api.md, "Coursework").
export interface StoredFile {
  id: number;
  name: string;
  content_type: string;
  size: number;
  sha256: string;
  created_at: string;
  url: string;
}

export interface Grade {
  score: number;
  comment: string;
  graded_by: number;
  graded_at: string;
}

export interface Submission {
  id: number;
  assignment_id: number;
  student_id: number;
  student_name?: string;
  text: string;
  submitted_at: string;
  late: boolean;
  files: StoredFile[];
  grade: Grade | null;
}

export interface Assignment {
  id: number;
  section_id: number;
  title: string;
  instructions: string;
  due_at: string;
  due_local: string;
  time_zone: string;
  past_due: boolean;
  points: number;
  attachments: StoredFile[];
  created_by: number;
  created_at: string;
  // GET /assignments/{id} for a student, GET /students/{id}/coursework.
  submission?: Submission | null;
  section_title?: string;
}

export interface QueuedSubmission extends Submission {
  assignment: Assignment;
}

// Teacher feedback (docs/api.md, "Teacher feedback").
export type FeedbackCategory = 'connectivity' | 'platform' | 'content' | 'other';
export interface FeedbackEntry {
  id: number;
  teacher_id: number;
  teacher_name: string;
  school_id: number | null;
  section_id: number | null;
  grade_band: 'prek-5' | '6-12' | null;
  rating: number;
  category: FeedbackCategory;
  text: string;
  created_at: string;
}
export interface FeedbackGroup {
  count: number;
  average_rating: number | null;
  by_category: Record<FeedbackCategory, number>;
}
export interface FeedbackSummary {
  from: string;
  to: string;
  overall: FeedbackGroup;
  by_school: (FeedbackGroup & { school_id: number | null; school_name: string | null })[];
  by_grade_band: (FeedbackGroup & { grade_band: 'prek-5' | '6-12' | null })[];
}

// Diagnostics (docs/api.md, "Diagnostics").
export interface TimelineItem {
  at: string;
  kind: string;
  origin: 'server' | 'device';
  ip: string | null;
  detail: Record<string, unknown>;
}
export interface Timeline {
  user: { id: number; username: string; name: string; role: string };
  from: string;
  to: string;
  verdict: string;
  truncated: boolean;
  items: TimelineItem[];
}

// A pathway rule (docs/api.md, "Pathways").
export interface PathwayRule {
  id: number;
  scope: 'district' | 'school' | 'section';
  scope_id: number | null;
  grade_band: 'prek-5' | '6-12' | null;
  pathway: 'built_in' | 'external';
  effective_from: string;
  created_by: number;
  created_at: string;
}

// Daily attendance (docs/api.md, "Daily attendance").
export interface AttendancePolicy {
  min_live_minutes: number;
  count_submissions: boolean;
  count_external_opens: boolean;
  updated_by: number | null;
  updated_at: string | null;
}

export type AttendanceBasis = 'override' | 'live' | 'work' | 'external' | 'none';

export interface AttendanceDay {
  date: string;
  status: 'present' | 'absent';
  basis: AttendanceBasis;
  live_minutes: number;
  submissions: number;
  opened_external: boolean;
  override: { status: string; reason: string; set_by: number; set_at: string } | null;
}

export interface DailyAttendanceReport {
  time_zone: string;
  policy: AttendancePolicy;
  days: string[];
  totals: { date: string; present: number; absent: number }[];
  items: {
    section_id: number | null;
    student: { id: number; sourced_id: string; username: string; given_name: string; family_name: string };
    days: AttendanceDay[];
  }[];
}

export interface Alert {
  kind: 'missed_session' | 'missing_work';
  student: { id: number; name: string };
  section_id: number;
  section_title: string;
  session_id?: number;
  assignment_id?: number;
  title: string;
  at: string;
}

export interface StudentDailyAttendance extends DailyAttendanceReport {
  combined: AttendanceDay[];
}

export interface ExternalReconciliation {
  session_id: number;
  rows: number;
  matched: { user_id: number; name: string; minutes: number; matched_by: string }[];
  unmatched: { name: string; email: string; minutes: number }[];
}

// Engagement analytics (docs/api.md, "Analytics"): rates are 0..1, a grade 0..100; a metric is
// null when its denominator is 0 (no data, which is not 0 %).
export type GradeBand = 'prek-5' | '6-12';
export type Pathway = 'built_in' | 'external';
export type AnalyticsDimension = 'grade_band' | 'school' | 'section' | 'pathway';
export interface AnalyticsMetrics {
  live_attendance_rate: number | null;
  avg_live_minutes: number | null;
  submission_rate: number | null;
  on_time_rate: number | null;
  avg_grade: number | null;
  connection_problem_rate: number | null;
}
export type MetricName = keyof AnalyticsMetrics;
export interface AnalyticsCounts {
  section_days: number;
  live_sessions: number;
  expected_attendances: number;
  attendances: number;
  timed_attendances: number;
  live_minutes: number;
  telemetry_attendances: number;
  problem_attendances: number;
  assignments_due: number;
  expected_submissions: number;
  submissions: number;
  on_time_submissions: number;
  graded: number;
}
export interface AnalyticsFigures {
  metrics: AnalyticsMetrics;
  counts: AnalyticsCounts;
}
export interface AnalyticsRow extends AnalyticsFigures {
  day?: string;
  grade_band?: GradeBand | null;
  school?: { id: number; name: string };
  section?: { id: number; title: string };
  pathway?: Pathway;
}
interface AnalyticsFreshness {
  from: string;
  to: string;
  time_zone: string;
  computed_at: string | null;
  days_not_computed: string[];
}
export interface AnalyticsReport extends AnalyticsFreshness {
  by: AnalyticsDimension[];
  per: 'range' | 'day';
  rows: AnalyticsRow[];
}
export interface DecisionReport extends AnalyticsFreshness {
  district: AnalyticsFigures;
  grade_bands: (AnalyticsFigures & { grade_band: GradeBand | null })[];
  pathways: (AnalyticsFigures & { pathway: Pathway })[];
  cohorts: (AnalyticsFigures & { grade_band: GradeBand | null; pathway: Pathway })[];
  daily: (AnalyticsFigures & { day: string; grade_band: GradeBand | null; pathway: Pathway })[];
}
