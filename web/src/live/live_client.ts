// One live-class socket (docs/live-protocol.md): connects, keeps the room state, resumes after a
// drop with epoch + last_seq (replay: nothing missing, nothing twice), numbers commands and
// settles each with its ack or error, and measures the round trip with presence.update, which
// also notices a dead connection the browser has not reported.
import { report } from '../telemetry';
import { applyEvent, applyWelcome, emptyRoom, qualityOf, type RoomState } from './room_state';

export interface LiveClientOptions {
  sessionId: number;
  onState: (state: RoomState) => void;
  onConnection: (connected: boolean, attempt: number) => void;
  // Every frame after the room state took it in (welcome, events, and the media server's frames
  // without seq: media.offer, media.connected, media.hangup, media.trickle, media.slowlink);
  // live/media_client.ts listens here.
  onFrame?: (frame: Record<string, any>) => void;
  // For tests: where the socket goes (default: this page's origin).
  url?: (query: string) => string;
}

export class CommandError extends Error {
  constructor(readonly code: string, message: string, readonly retryAfterMs?: number) {
    super(message);
  }
}

// Reconnect back-off: first retry soon, then doubling up to the cap, with jitter so that a
// classroom does not come back in lockstep after a server restart.
export const RECONNECT_FIRST_MS = 500;
export const RECONNECT_MAX_MS = 10_000;
// presence.update period (the server allows 5 per 10 s) and how long its ack may take before the
// socket is considered dead and replaced.
export const PING_INTERVAL_MS = 15_000;
export const ACK_TIMEOUT_MS = 10_000;

// Close codes and errors after which reconnecting is pointless.
const FINAL_ERRORS = new Set(['room_ended', 'removed', 'denied', 'replaced', 'room_locked', 'room_full']);

interface Pending {
  resolve: (ack: Record<string, any>) => void;
  reject: (e: Error) => void;
  sentAt: number;
  timer: ReturnType<typeof setTimeout>;
}

export class LiveClient {
  private state: RoomState = emptyRoom();
  private ws: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private attempt = 0;
  private stopped = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastRtt: number | null = null;
  private readonly onOffline = () => this.drop();
  private readonly onOnline = () => this.reconnectNow();

  constructor(private readonly options: LiveClientOptions) {}

  get room(): RoomState {
    return this.state;
  }

  start() {
    this.stopped = false;
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', this.onOffline);
      window.addEventListener('online', this.onOnline);
    }
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (typeof window !== 'undefined') {
      window.removeEventListener('offline', this.onOffline);
      window.removeEventListener('online', this.onOnline);
    }
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.failPending('disconnected');
    this.ws?.close(1000);
    this.ws = null;
  }

  // Sends a command; resolves with the seq of the event it caused (when the sender sees one).
  send(type: string, args: Record<string, unknown> = {}): Promise<number | undefined> {
    return this.request(type, args).then((ack) => ack.seq);
  }

  // Sends a command; resolves with its whole ack (media commands answer with jsep and feed_id).
  // `timeoutMs`: how long the answer may take before the socket is considered dead (media
  // commands wait for the media server).
  request(type: string, args: Record<string, unknown> = {}, timeoutMs = ACK_TIMEOUT_MS): Promise<Record<string, any>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new CommandError('disconnected', 'not connected'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CommandError('timeout', 'no answer'));
        this.drop();
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, sentAt: Date.now(), timer });
      ws.send(JSON.stringify({ id, type, ...args }));
    });
  }

  private query(): string {
    const p = new URLSearchParams({ session: String(this.options.sessionId) });
    if (this.state.epoch) {
      p.set('epoch', this.state.epoch);
      p.set('last_seq', String(this.state.seq));
    }
    return p.toString();
  }

  private connect() {
    if (this.stopped) return;
    const query = this.query();
    const url = this.options.url
      ? this.options.url(query)
      : `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live?${query}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened: number | null = null;
    ws.onopen = () => (opened = Date.now());
    ws.onmessage = (event) => this.onFrame(ws, event.data);
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.state.status !== 'ended') {
        report({ kind: 'ws_disconnect', code: event.code, reason: event.reason, clean: event.wasClean,
          connected_ms: opened === null ? 0 : Date.now() - opened });
      }
      if (this.pingTimer) clearInterval(this.pingTimer);
      this.failPending('disconnected');
      this.options.onConnection(false, this.attempt);
      // 1008 and 1000 come with an error frame saying why; anything else is a drop.
      if (this.state.status === 'ended' || this.state.status === 'refused' || event.code === 1003) return;
      this.scheduleReconnect();
    };
  }

  private onFrame(ws: WebSocket, data: unknown) {
    if (this.ws !== ws || typeof data !== 'string') return;
    let frame: Record<string, any>;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === 'welcome') {
      this.attempt = 0;
      this.setState(applyWelcome(this.state, frame));
      this.options.onConnection(true, 0);
      this.startPings();
      this.options.onFrame?.(frame);
      return;
    }
    if (frame.type === 'ack' || (frame.type === 'error' && frame.id != null)) {
      const p = this.pending.get(frame.id);
      if (!p) return;
      this.pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.type === 'ack') p.resolve(frame);
      else p.reject(new CommandError(frame.code, frame.message ?? frame.code, frame.retry_after_ms));
      return;
    }
    if (frame.type === 'error') {
      // A refusal or a close about to happen (no id).
      if (FINAL_ERRORS.has(frame.code)) {
        this.setState({
          ...this.state,
          status: frame.code === 'room_ended' ? 'ended' : 'refused',
          reason: frame.code,
        });
      }
      return;
    }
    this.setState(applyEvent(this.state, frame));
    this.options.onFrame?.(frame);
  }

  private setState(next: RoomState) {
    if (next === this.state) return;
    this.state = next;
    this.options.onState(next);
  }

  private startPings() {
    if (this.pingTimer) clearInterval(this.pingTimer);
    const ping = () => {
      const started = Date.now();
      const args: Record<string, unknown> = { quality: this.lastRtt === null ? 'unknown' : qualityOf(this.lastRtt) };
      if (this.lastRtt !== null) args.rtt_ms = Math.min(60_000, Math.round(this.lastRtt));
      const first = this.lastRtt === null;
      this.send('presence.update', args).then(
        () => {
          this.lastRtt = Date.now() - started;
          report({ kind: 'rtt', ms: this.lastRtt });
          // The first answer gives the first measurement: report it now rather than in 15 s.
          if (first) ping();
        },
        () => undefined,
      );
    };
    ping();
    this.pingTimer = setInterval(ping, PING_INTERVAL_MS);
  }

  private failPending(code: string) {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new CommandError(code, code));
    }
    this.pending.clear();
  }

  // Gives up on the current socket (offline, or an ack that never came) and reconnects.
  private drop() {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.failPending('disconnected');
    try {
      ws.close(4000);
    } catch {
      // already closing
    }
    this.options.onConnection(false, this.attempt);
    this.scheduleReconnect();
  }

  private reconnectNow() {
    if (this.ws || this.stopped) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  }

  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (typeof navigator !== 'undefined' && navigator.onLine === false) {
        this.scheduleReconnect();
        return;
      }
      this.connect();
    }, delay);
  }
}
