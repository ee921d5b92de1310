// What the student and guardian homes choose to show: pure functions of the sessions and the time,
// unit-tested in test/homes.test.ts.
import type { LiveSession } from '../api/types';

// How often a student's or guardian's home asks for its sessions again while the tab is visible.
// The home has no socket (it must stay small for slow connections, and thousands of students keep
// it open), so a student waiting on it sees Join within this long of the teacher starting the
// class; at one small request per open home every 30 s the server barely notices.
export const HOME_REFRESH_MS = 30_000;

// The sessions a home lists: live ones, and scheduled ones that have not ended yet. A session
// nobody started stays `scheduled` after its end (missed), and is not "upcoming" any more.
export function upcomingSessions(sessions: LiveSession[], now: number): LiveSession[] {
  return sessions
    .filter((s) => s.status === 'live' || (s.status === 'scheduled' && Date.parse(s.ends_at) > now))
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
}

// "What's next": a live session first (the earliest to start), else the scheduled session that
// starts soonest among those not yet ended (one in progress but not started still counts).
export function nextSession(sessions: LiveSession[], now: number): LiveSession | undefined {
  const open = upcomingSessions(sessions, now);
  return open.find((s) => s.status === 'live') ?? open[0];
}
