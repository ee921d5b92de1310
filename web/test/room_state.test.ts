import { describe, expect, it } from 'vitest';
import { applyEvent, applyWelcome, emptyRoom } from '../src/live/room_state';

const snapshotWelcome = {
  type: 'welcome', protocol: 1, epoch: 'e1', seq: 10, user_id: 2, role: 'student', state: 'in_room',
  resume: 'snapshot',
  snapshot: {
    room: { session_id: 7, title: 'Algebra', locked: false, waiting_room: false, chat_muted_all: false },
    participants: [{ user_id: 1, name: 'T', role: 'teacher', state: 'present', hand: null, quality: 'good', rtt_ms: 20 },
      { user_id: 2, name: 'S', role: 'student', state: 'present', hand: null, quality: 'unknown', rtt_ms: null }],
    hands: [], chat: [], polls: [], me: { muted: false },
  },
};
const chat = (seq: number, text: string, epoch = 'e1') => ({
  type: 'chat.message', seq, epoch, message_id: seq, from: { user_id: 1, name: 'T', role: 'teacher' }, text,
  private: false, at_ms: 0,
});

describe('room state', () => {
  it('replaces everything with a snapshot welcome', () => {
    const s = applyWelcome(emptyRoom(), snapshotWelcome);
    expect(s.status).toBe('in_room');
    expect(s.participants.size).toBe(2);
    expect(s.seq).toBe(10);
  });

  it('applies replayed events after a resume once each, in order', () => {
    let s = applyWelcome(emptyRoom(), snapshotWelcome);
    s = applyEvent(s, chat(11, 'a'));
    // The socket drops; the server replays everything after last_seq 11.
    s = applyWelcome(s, { type: 'welcome', epoch: 'e1', seq: 13, user_id: 2, role: 'student', state: 'in_room',
      resume: 'replay', from_seq: 11 });
    s = applyEvent(s, chat(11, 'a'));  // a duplicate is ignored
    s = applyEvent(s, chat(12, 'b'));
    s = applyEvent(s, chat(13, 'c'));
    expect(s.chat.map((m) => m.text)).toEqual(['a', 'b', 'c']);
  });

  it('tracks hands in queue order and polls through close', () => {
    let s = applyWelcome(emptyRoom(), snapshotWelcome);
    s = applyEvent(s, { type: 'hand.raised', seq: 11, epoch: 'e1', user_id: 2, order: 1 });
    expect(s.hands).toEqual([2]);
    expect(s.participants.get(2)!.hand).toBe(1);
    s = applyEvent(s, { type: 'poll.opened', seq: 12, epoch: 'e1', poll_id: 1, question: 'x?', options: ['1', '2'] });
    s = applyEvent(s, { type: 'poll.closed', seq: 13, epoch: 'e1', poll_id: 1, question: 'x?', options: ['1', '2'],
      counts: [0, 2], total: 2 });
    expect(s.polls.get(1)).toMatchObject({ open: false, counts: [0, 2], total: 2 });
    s = applyEvent(s, { type: 'hand.lowered', seq: 14, epoch: 'e1', user_id: 2, by_user_id: 1 });
    expect(s.hands).toEqual([]);
  });

  it('takes a new epoch snapshot after a server restart', () => {
    let s = applyWelcome(emptyRoom(), snapshotWelcome);
    s = applyEvent(s, chat(11, 'old'));
    s = applyWelcome(s, { ...snapshotWelcome, epoch: 'e2', seq: 3 });
    expect(s.chat).toEqual([]);
    s = applyEvent(s, chat(4, 'new', 'e2'));
    expect(s.chat.map((m) => m.text)).toEqual(['new']);
  });
});
