import { describe, expect, it } from 'vitest';
import type { LiveSession } from '../src/api/types';
import { nextSession, upcomingSessions } from '../src/pages/homes_model';

const NOW = Date.parse('2026-09-02T14:00:00Z');
const HOUR = 3_600_000;
let ids = 0;
function session(status: LiveSession['status'], startsInH: number, lastsH = 1): LiveSession {
  return {
    id: ++ids, section_id: 1, series_id: null, title: `${status} at ${startsInH}h`, status,
    starts_at: new Date(NOW + startsInH * HOUR).toISOString(),
    ends_at: new Date(NOW + (startsInH + lastsH) * HOUR).toISOString(),
    time_zone: 'America/New_York',
  };
}

describe('what a student home shows next', () => {
  it('skips yesterday\'s session that was never started (still scheduled, but over)', () => {
    const missed = session('scheduled', -20);
    const later = session('scheduled', 3);
    expect(nextSession([missed, later], NOW)).toBe(later);
    expect(upcomingSessions([missed, later], NOW)).toEqual([later]);
  });

  it('puts a live session first, whenever it started', () => {
    const soon = session('scheduled', 0.5);
    const live = session('live', -0.25);
    expect(nextSession([soon, live], NOW)).toBe(live);
  });

  it('keeps a live session that runs past its planned end', () => {
    const overtime = session('live', -2, 1);
    expect(nextSession([overtime], NOW)).toBe(overtime);
  });

  it('counts a scheduled session in progress, and picks the soonest start, in any input order', () => {
    const inProgress = session('scheduled', -0.5);
    const tomorrow = session('scheduled', 24);
    const later = session('scheduled', 2);
    expect(nextSession([tomorrow, later, inProgress], NOW)).toBe(inProgress);
    expect(upcomingSessions([tomorrow, later, inProgress], NOW)).toEqual([inProgress, later, tomorrow]);
  });

  it('leaves out ended and cancelled sessions, and says nothing when none is left', () => {
    expect(nextSession([session('ended', -1), session('cancelled', 2), session('scheduled', -3)], NOW)).toBeUndefined();
  });
});
