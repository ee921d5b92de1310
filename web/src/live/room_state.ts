// The live room as one client sees it, and how each frame of docs/live-protocol.md changes it.
// Pure functions: the socket client (live_client.ts) feeds frames in, the room page renders.

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

export interface Participant {
  user_id: number;
  name: string;
  role: 'teacher' | 'student' | 'observer';
  state: 'present' | 'reconnecting';
  hand: number | null;
  quality: Quality;
  rtt_ms: number | null;
}

export interface ChatMessage {
  message_id: number;
  from: { user_id: number; name: string; role: string };
  text: string;
  private: boolean;
  to?: number;
  at_ms: number;
}

export interface Poll {
  poll_id: number;
  question: string;
  options: string[];
  open: boolean;
  my_vote?: number;
  counts?: number[];
  total?: number;
}

export interface RoomInfo {
  session_id: number;
  section_id?: number;
  title: string;
  locked: boolean;
  waiting_room: boolean;
  chat_muted_all: boolean;
}

// Video and audio (docs/live-protocol.md, "Media"): whether the server has a media server, whether
// it works right now, who publishes (by user) and who has the floor.
// One stream a publisher sends (protocol 3): its mid (subscribe to it alone with
// media.subscribe `streams`) and what it is.
export interface MediaStreamInfo {
  mid: string;
  kind: 'audio' | 'camera' | 'screen';
}

export interface MediaPublisher {
  user_id: number;
  feed_id: number;
  audio: number;
  video: number;
  streams: MediaStreamInfo[];
}

export interface MediaState {
  enabled: boolean;
  available: boolean;
  max_publishers: number;
  publishers: Map<number, MediaPublisher>;
  floor: Map<number, { mic: boolean; camera: boolean }>;
}

export function emptyMedia(): MediaState {
  return { enabled: false, available: false, max_publishers: 0, publishers: new Map(), floor: new Map() };
}

export interface RoomState {
  me: { user_id: number; role: 'teacher' | 'student' | 'observer'; muted: boolean } | null;
  status: 'connecting' | 'in_room' | 'waiting' | 'ended' | 'refused';
  epoch: string | null;
  seq: number;
  room: RoomInfo | null;
  participants: Map<number, Participant>;
  hands: number[];
  chat: ChatMessage[];
  polls: Map<number, Poll>;
  waiting: { user_id: number; name: string }[];
  muted: Set<number>;
  media: MediaState;
  // Why the room ended or refused us (an error code of the protocol).
  reason: string | null;
}

// Chat messages kept in memory for display; older ones scroll away.
export const MAX_CHAT_KEPT = 300;

export function emptyRoom(): RoomState {
  return {
    me: null, status: 'connecting', epoch: null, seq: 0, room: null,
    participants: new Map(), hands: [], chat: [], polls: new Map(), waiting: [], muted: new Set(),
    media: emptyMedia(), reason: null,
  };
}

type Frame = Record<string, any>;

function applySnapshot(state: RoomState, snap: Frame): RoomState {
  const participants = new Map<number, Participant>();
  for (const p of snap.participants ?? []) participants.set(p.user_id, p);
  const polls = new Map<number, Poll>();
  for (const p of snap.polls ?? []) polls.set(p.poll_id, p);
  const media = emptyMedia();
  if (snap.media) {
    media.enabled = !!snap.media.enabled;
    media.available = !!snap.media.available;
    media.max_publishers = snap.media.max_publishers ?? 0;
    for (const p of snap.media.publishers ?? []) media.publishers.set(p.user_id, { ...p, streams: p.streams ?? [] });
    for (const f of snap.media.floor ?? []) media.floor.set(f.user_id, { mic: !!f.mic, camera: !!f.camera });
  }
  return {
    ...state,
    room: snap.room ?? state.room,
    participants,
    hands: snap.hands ?? [],
    chat: snap.chat ?? [],
    polls,
    waiting: snap.waiting ?? [],
    muted: new Set(snap.muted ?? []),
    media,
    me: state.me ? { ...state.me, muted: !!snap.me?.muted } : state.me,
  };
}

// Applies a `welcome` frame.
export function applyWelcome(state: RoomState, w: Frame): RoomState {
  let next: RoomState = {
    ...state,
    epoch: w.epoch,
    seq: w.seq,
    me: { user_id: w.user_id, role: w.role, muted: state.me?.muted ?? false },
    status: w.state === 'waiting' ? 'waiting' : 'in_room',
    reason: null,
  };
  if (w.state === 'waiting') {
    next.room = { ...(next.room ?? { locked: false, waiting_room: true, chat_muted_all: false }), ...w.room };
    return next;
  }
  if (w.resume === 'snapshot' && w.snapshot) next = applySnapshot(next, w.snapshot);
  // On replay the events that follow carry seqs up to w.seq; keep our own seq until they arrive.
  if (w.resume === 'replay') next.seq = w.from_seq ?? state.seq;
  return next;
}

function setHand(state: RoomState, user: number, key: number | null): Map<number, Participant> {
  const participants = new Map(state.participants);
  const p = participants.get(user);
  if (p) participants.set(user, { ...p, hand: key });
  return participants;
}

// Applies one event; events at or below the last applied seq are ignored (never applied twice).
export function applyEvent(state: RoomState, e: Frame): RoomState {
  if (typeof e.seq === 'number') {
    if (e.epoch === state.epoch && e.seq <= state.seq) return state;
  }
  const s: RoomState = { ...state, seq: typeof e.seq === 'number' ? e.seq : state.seq };
  switch (e.type) {
    case 'presence.joined': {
      const participants = new Map(s.participants);
      participants.set(e.participant.user_id, e.participant);
      return { ...s, participants };
    }
    case 'presence.left': {
      const participants = new Map(s.participants);
      participants.delete(e.user_id);
      return { ...s, participants, hands: s.hands.filter((h) => h !== e.user_id) };
    }
    case 'presence.reconnecting':
    case 'presence.resumed': {
      const participants = new Map(s.participants);
      const p = participants.get(e.user_id);
      if (p) participants.set(e.user_id, { ...p, state: e.type === 'presence.resumed' ? 'present' : 'reconnecting' });
      return { ...s, participants };
    }
    case 'presence.updated': {
      const participants = new Map(s.participants);
      const p = participants.get(e.user_id);
      if (p) participants.set(e.user_id, { ...p, quality: e.quality ?? p.quality, rtt_ms: e.rtt_ms ?? null });
      return { ...s, participants };
    }
    case 'waiting.joined':
      return { ...s, waiting: [...s.waiting.filter((w) => w.user_id !== e.user.user_id), e.user] };
    case 'waiting.left':
      return { ...s, waiting: s.waiting.filter((w) => w.user_id !== e.user_id) };
    case 'chat.message': {
      const chat = [...s.chat, e as unknown as ChatMessage];
      return { ...s, chat: chat.length > MAX_CHAT_KEPT ? chat.slice(-MAX_CHAT_KEPT) : chat };
    }
    case 'chat.deleted':
      return { ...s, chat: s.chat.filter((m) => m.message_id !== e.message_id) };
    case 'chat.muted': {
      const muted = new Set(s.muted);
      if (e.muted) muted.add(e.user_id);
      else muted.delete(e.user_id);
      const me = s.me && s.me.user_id === e.user_id ? { ...s.me, muted: !!e.muted } : s.me;
      return { ...s, muted, me };
    }
    case 'chat.muted_all':
      return s.room ? { ...s, room: { ...s.room, chat_muted_all: !!e.muted } } : s;
    case 'hand.raised':
      return {
        ...s,
        participants: setHand(s, e.user_id, e.order),
        hands: s.hands.includes(e.user_id) ? s.hands : [...s.hands, e.user_id],
      };
    case 'hand.lowered':
      return { ...s, participants: setHand(s, e.user_id, null), hands: s.hands.filter((h) => h !== e.user_id) };
    case 'hand.lowered_all': {
      const participants = new Map(s.participants);
      for (const [id, p] of participants) if (p.hand !== null) participants.set(id, { ...p, hand: null });
      return { ...s, participants, hands: [] };
    }
    case 'poll.opened': {
      const polls = new Map(s.polls);
      polls.set(e.poll_id, { poll_id: e.poll_id, question: e.question, options: e.options, open: true });
      return { ...s, polls };
    }
    case 'poll.counts':
    case 'poll.closed': {
      const polls = new Map(s.polls);
      const old = polls.get(e.poll_id);
      polls.set(e.poll_id, {
        ...(old ?? { poll_id: e.poll_id, question: e.question, options: e.options }),
        open: e.type === 'poll.counts' ? old?.open ?? true : false,
        counts: e.counts,
        total: e.total,
      } as Poll);
      return { ...s, polls };
    }
    case 'room.locked':
      return s.room ? { ...s, room: { ...s.room, locked: !!e.locked } } : s;
    case 'room.waiting_room':
      return s.room ? { ...s, room: { ...s.room, waiting_room: !!e.enabled } } : s;
    case 'media.available':
      return { ...s, media: { ...s.media, available: true } };
    case 'media.unavailable':
      // Every PeerConnection of the room went with the media server.
      return { ...s, media: { ...s.media, available: false, publishers: new Map() } };
    case 'media.published': {
      const publishers = new Map(s.media.publishers);
      publishers.set(e.user_id, {
        user_id: e.user_id, feed_id: e.feed_id, audio: e.audio ?? 0, video: e.video ?? 0, streams: e.streams ?? [],
      });
      return { ...s, media: { ...s.media, publishers } };
    }
    case 'media.unpublished': {
      const publishers = new Map(s.media.publishers);
      if (publishers.get(e.user_id)?.feed_id === e.feed_id) publishers.delete(e.user_id);
      return { ...s, media: { ...s.media, publishers } };
    }
    case 'media.floor': {
      const floor = new Map(s.media.floor);
      if (e.mic || e.camera) floor.set(e.user_id, { mic: !!e.mic, camera: !!e.camera });
      else floor.delete(e.user_id);
      return { ...s, media: { ...s.media, floor } };
    }
    case 'room.ended':
      // e.reason is a sentence for logs ("ended by the teacher"); the page says it in its language.
      return { ...s, status: 'ended', reason: 'room_ended' };
    default:
      return s;
  }
}

// The quality a round trip suggests (reported with presence.update).
export function qualityOf(rttMs: number): Quality {
  if (rttMs < 300) return 'good';
  if (rttMs < 1000) return 'fair';
  return 'poor';
}
