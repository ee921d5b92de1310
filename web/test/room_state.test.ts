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

  it('keeps media availability, publishers and the floor from the snapshot and media events', () => {
    let s = applyWelcome(emptyRoom(), {
      ...snapshotWelcome,
      snapshot: {
        ...snapshotWelcome.snapshot,
        media: { enabled: true, available: true, max_publishers: 6,
          publishers: [{ user_id: 1, feed_id: 1, audio: 1, video: 2, streams: [{ mid: '0', kind: 'audio' },
            { mid: '1', kind: 'camera' }, { mid: '2', kind: 'screen' }] }], floor: [] },
      },
    });
    expect(s.media.enabled).toBe(true);
    expect(s.media.publishers.get(1)?.video).toBe(2);
    expect(s.media.publishers.get(1)?.streams.map((x) => x.kind)).toEqual(['audio', 'camera', 'screen']);
    s = applyEvent(s, { type: 'media.floor', seq: 11, epoch: 'e1', user_id: 2, mic: true, camera: false });
    expect(s.media.floor.get(2)).toEqual({ mic: true, camera: false });
    s = applyEvent(s, { type: 'media.published', seq: 12, epoch: 'e1', user_id: 2, feed_id: 2, audio: 1, video: 0,
      streams: [{ mid: '0', kind: 'audio' }] });
    expect([...s.media.publishers.keys()]).toEqual([1, 2]);
    expect(s.media.publishers.get(2)?.streams).toEqual([{ mid: '0', kind: 'audio' }]);
    s = applyEvent(s, { type: 'media.unpublished', seq: 13, epoch: 'e1', user_id: 2, feed_id: 2, reason: 'floor_revoked' });
    s = applyEvent(s, { type: 'media.floor', seq: 14, epoch: 'e1', user_id: 2, mic: false, camera: false });
    expect(s.media.floor.has(2)).toBe(false);
    expect([...s.media.publishers.keys()]).toEqual([1]);
    // The media server goes down: nobody publishes; it comes back: available, still nobody.
    s = applyEvent(s, { type: 'media.unavailable', seq: 15, epoch: 'e1', reason: 'down' });
    expect(s.media.available).toBe(false);
    expect(s.media.publishers.size).toBe(0);
    s = applyEvent(s, { type: 'media.available', seq: 16, epoch: 'e1' });
    expect(s.media.available).toBe(true);
  });
});
