// Video and audio in the live room (docs/live-protocol.md, "Media"; docs/web.md, "Video and
// audio"). The browser talks only to Homeroom: SDP offers and answers ride on the live socket
// (LiveClient.request) and Homeroom relays them to Janus. Two PeerConnections at most:
//
// - the publisher (what this user sends): a teacher's has three transceivers in a fixed order,
//   microphone, camera, screen (the screen one sends nothing until a share starts, so sharing
//   needs no renegotiation); a student's has what the teacher gave them the floor for.
// - the subscriber (everything received): each offer for it comes with `streams`, what each of
//   its m-sections (by the subscriber's own mid) receives: a publisher's feed and the stream's mid
//   there, which the publisher's `streams` (protocol 3) name audio, camera or screen.
//   Normally whole feeds are received; in low-bandwidth mode only the teacher's audio and screen
//   streams (media.subscribe `streams`), so the camera is never sent to this page.
//
// Candidates are gathered before an SDP is sent (no trickle). Failures: a publisher whose ICE
// fails restarts ICE (a new offer with iceRestart, sent again with media.publish); a subscriber
// that fails, or either PeerConnection that Janus hangs up, rejoins (media.leave, then publish
// and subscribe again). media.unavailable closes everything but the local camera and microphone;
// media.available brings it back. A new socket (a reconnect) rejoins, since Homeroom closes the
// media of a socket that went away.
import { CommandError, type LiveClient } from './live_client';
import type { RoomState } from './room_state';

// Bitrate caps (RTCRtpSender.setParameters): what one stream may send, in bits per second.
export const TEACHER_CAMERA_MAX_BPS = 500_000;
export const STUDENT_CAMERA_MAX_BPS = 250_000;
export const SCREEN_MAX_BPS = 800_000;
export const SCREEN_MAX_FPS = 5;
export const AUDIO_MAX_BPS = 32_000;
// What low-bandwidth mode receives of the teacher (and nothing of anyone else).
export const LOW_BANDWIDTH_KINDS: readonly RemoteKind[] = ['audio', 'screen'];
// Capture sizes: enough for a tile or the stage, small enough for a school's uplink.
const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } };
// How long candidate gathering may take before the SDP goes with what it has.
const GATHER_MAX_MS = 3_000;
// How long a PeerConnection may stay 'disconnected' before it is repaired.
const DISCONNECTED_GRACE_MS = 5_000;
// Media commands wait for Janus: how long their answer may take.
const MEDIA_COMMAND_TIMEOUT_MS = 20_000;
// Back-off between rejoins after failures.
const REJOIN_MIN_MS = 1_000;
const REJOIN_MAX_MS = 15_000;

export type RemoteKind = 'audio' | 'camera' | 'screen';

export interface RemoteMedia {
  key: string; // `${feed}-${mid}`
  user_id: number;
  kind: RemoteKind;
  stream: MediaStream;
  // False while no packets arrive (a camera turned off, a screen not shared).
  live: boolean;
}

export interface DeviceChoice {
  id: string;
  label: string;
}

export interface MediaView {
  // What the user asked for (kept across failures and reconnects).
  wantPublish: boolean;
  // The publisher's PeerConnection is up.
  publishing: boolean;
  // 'idle': nothing to receive; 'connecting'; 'up'; 'repairing' (ICE restart or rejoin).
  receive: 'idle' | 'connecting' | 'up' | 'repairing';
  micMuted: boolean;
  cameraOn: boolean;
  sharingScreen: boolean;
  local: MediaStream | null; // the camera preview
  screen: MediaStream | null;
  remote: RemoteMedia[];
  lowBandwidth: boolean;
  mics: DeviceChoice[];
  cameras: DeviceChoice[];
  micId: string | null;
  cameraId: string | null;
  // A protocol error code or 'devices' (camera/microphone refused); null when all is well.
  error: string | null;
  // How many times a broken connection was repaired (ICE restarts and rejoins).
  repairs: number;
}

export function emptyMediaView(): MediaView {
  return {
    wantPublish: false, publishing: false, receive: 'idle', micMuted: false, cameraOn: false,
    sharingScreen: false, local: null, screen: null, remote: [], lowBandwidth: false, mics: [], cameras: [],
    micId: null, cameraId: null, error: null, repairs: 0,
  };
}

type Frame = Record<string, any>;

function waitGathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => pc.iceGatheringState === 'complete' && done();
    const timer = setTimeout(done, GATHER_MAX_MS);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

async function capSender(sender: RTCRtpSender, maxBitrate: number, maxFramerate?: number) {
  try {
    const params = sender.getParameters();
    if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
    for (const e of params.encodings) {
      e.maxBitrate = maxBitrate;
      if (maxFramerate) e.maxFramerate = maxFramerate;
    }
    await sender.setParameters(params);
  } catch {
    // A browser without setParameters sends at its own rate; nothing breaks.
  }
}

export class MediaClient {
  private view: MediaView = emptyMediaView();
  private publisher: RTCPeerConnection | null = null;
  private subscriber: RTCPeerConnection | null = null;
  private subscribed = new Set<number>(); // feeds
  // The subscriber's m-sections: its mid -> the publisher's feed and the stream's mid there.
  private received = new Map<string, { feed: number; mid: string }>();
  private mic: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private screenTrack: MediaStreamTrack | null = null;
  // Media operations run one at a time, in order.
  private queue: Promise<unknown> = Promise.resolve();
  private rejoinTimer: ReturnType<typeof setTimeout> | null = null;
  private rejoinDelay = REJOIN_MIN_MS;
  private graceTimers = new Map<RTCPeerConnection, ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(
    private readonly live: LiveClient,
    private readonly onView: (view: MediaView) => void,
  ) {}

  get current(): MediaView {
    return this.view;
  }

  private set(patch: Partial<MediaView>) {
    this.view = { ...this.view, ...patch };
    this.onView(this.view);
  }

  private get room(): RoomState {
    return this.live.room;
  }

  private get role() {
    return this.room.me?.role;
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private request(type: string, args: Record<string, unknown> = {}) {
    return this.live.request(type, args, MEDIA_COMMAND_TIMEOUT_MS);
  }

  // --- frames from the live socket ---------------------------------------------------------------

  onFrame(frame: Frame) {
    if (this.stopped) return;
    const me = this.room.me?.user_id;
    switch (frame.type) {
      case 'welcome':
        // A new socket: whatever media the old one had is closed by the server.
        this.closeAll();
        this.sync();
        return;
      case 'media.available':
        this.sync();
        return;
      case 'media.unavailable':
        this.closeAll();
        return;
      case 'media.published':
        if (frame.user_id !== me) this.sync();
        return;
      case 'media.unpublished':
        if (frame.user_id === me) {
          // 'stopped' and 'left' are this page's own doing; the teacher taking the floor back is not.
          if (frame.reason === 'floor_revoked') this.stopPublishing(false);
        } else {
          this.dropRemote(frame.feed_id);
        }
        return;
      case 'media.floor':
        if (frame.user_id !== me || !this.view.wantPublish) return;
        if (!frame.mic && !frame.camera) {
          this.stopPublishing(false);
        } else if (this.publisher && (frame.mic ? 1 : 0) + (frame.camera ? 1 : 0) > this.publisher.getTransceivers().length) {
          // Given more while sending (the camera besides the microphone): publish again with it.
          this.closePublisher();
          this.run(() => this.request('media.unpublish')).then(() => this.sync(), () => this.sync());
        }
        return;
      case 'media.offer':
        if (frame.target === 'subscriber' && frame.jsep) {
          this.learn(frame.streams);
          this.run(() => this.answer(frame.jsep)).catch(() => this.scheduleRejoin());
        }
        return;
      case 'media.hangup':
        if (frame.target === 'subscriber' ? this.subscriber : this.publisher) this.scheduleRejoin();
        return;
      default:
    }
  }

  // Subscribes to whoever publishes (and publishes again when asked to) while media is available.
  private sync() {
    if (!this.room.media.enabled || !this.room.media.available || this.room.status !== 'in_room') return;
    if (this.view.wantPublish && !this.publisher) this.run(() => this.publish()).catch((e) => this.failed(e));
    this.run(() => this.subscribe()).catch((e) => this.failed(e));
  }

  private failed(e: unknown) {
    const code = e instanceof CommandError ? e.code : 'media_failed';
    if (code === 'not_found') return; // nobody publishes (any more)
    this.set({ error: code });
    if (code === 'media_unavailable' || code === 'timeout' || code === 'media_failed') this.scheduleRejoin();
  }

  // --- receiving ---------------------------------------------------------------------------------

  // What to receive of whom is not received yet: whole feeds, or (low-bandwidth mode) the
  // teacher's audio and screen streams only: no camera, no students.
  private wanted(): { feeds: number[]; streams: { feed: number; mid: string }[] } {
    const me = this.room.me?.user_id;
    const feeds: number[] = [];
    const streams: { feed: number; mid: string }[] = [];
    for (const p of this.room.media.publishers.values()) {
      if (p.user_id === me || this.subscribed.has(p.feed_id)) continue;
      if (!this.view.lowBandwidth) {
        feeds.push(p.feed_id);
      } else if (this.room.participants.get(p.user_id)?.role === 'teacher') {
        for (const s of p.streams) if (LOW_BANDWIDTH_KINDS.includes(s.kind)) streams.push({ feed: p.feed_id, mid: s.mid });
      }
    }
    return { feeds, streams };
  }

  private async subscribe() {
    const { feeds, streams } = this.wanted();
    // media.subscribe takes feeds or streams: in low-bandwidth mode there are only streams.
    const args = feeds.length > 0 ? { feeds } : { streams };
    if (feeds.length === 0 && streams.length === 0) return;
    if (!this.subscriber) {
      const pc = new RTCPeerConnection();
      this.subscriber = pc;
      pc.ontrack = (e) => this.addRemote(e);
      this.watch(pc, 'subscriber');
      this.set({ receive: 'connecting' });
    }
    const ack = await this.request('media.subscribe', args);
    for (const f of feeds.length > 0 ? feeds : streams.map((s) => s.feed)) this.subscribed.add(f);
    this.learn(ack.streams);
    if (ack.jsep) await this.answer(ack.jsep);
  }

  // Keeps what the subscriber's m-sections receive (an offer's `streams`).
  private learn(streams: unknown) {
    if (!Array.isArray(streams)) return;
    for (const s of streams) {
      if (s && typeof s.mid === 'string' && typeof s.feed_mid === 'string' && Number.isFinite(s.feed_id)) {
        this.received.set(s.mid, { feed: s.feed_id, mid: s.feed_mid });
      }
    }
  }

  private async answer(offer: RTCSessionDescriptionInit) {
    const pc = this.subscriber;
    if (!pc) return;
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await waitGathered(pc);
    await this.request('media.start', { jsep: { type: 'answer', sdp: pc.localDescription!.sdp } });
  }

  private addRemote(e: RTCTrackEvent) {
    const track = e.track;
    // What the m-section receives (the offer's `streams`); else, the stream id is the feed
    // (`a=msid:<feed> <mid>`, use_msid) and the mids order a feed's videos: camera, then screen.
    const source = e.transceiver.mid !== null ? this.received.get(e.transceiver.mid) : undefined;
    const feed = source?.feed ?? Number(e.streams[0]?.id);
    if (!Number.isFinite(feed)) return;
    const mid = source?.mid ?? track.id;
    const publisher = [...this.room.media.publishers.values()].find((p) => p.feed_id === feed);
    const user = publisher?.user_id ?? feed;
    const key = `${feed}-${mid}`;
    let kind: RemoteKind = publisher?.streams.find((s) => s.mid === mid)?.kind ?? 'audio';
    if (track.kind === 'video' && !publisher?.streams.some((s) => s.mid === mid)) {
      const videosBefore = this.view.remote.filter((r) => r.key.startsWith(`${feed}-`) && r.kind !== 'audio' &&
        Number(r.key.slice(String(feed).length + 1)) < Number(mid)).length;
      kind = videosBefore === 0 ? 'camera' : 'screen';
    }
    const stream = new MediaStream([track]);
    const item: RemoteMedia = { key, user_id: user, kind, stream, live: !track.muted };
    const update = (live: boolean) =>
      this.set({ remote: this.view.remote.map((r) => (r.key === key && r.stream === stream ? { ...r, live } : r)) });
    track.onmute = () => update(false);
    track.onunmute = () => update(true);
    track.onended = () => this.set({ remote: this.view.remote.filter((r) => r.stream !== stream) });
    this.set({ remote: [...this.view.remote.filter((r) => r.key !== key), item] });
  }

  private dropRemote(feed: number) {
    this.subscribed.delete(feed);
    this.set({ remote: this.view.remote.filter((r) => !r.key.startsWith(`${feed}-`)) });
  }

  // --- sending -----------------------------------------------------------------------------------

  // Starts sending: a teacher their microphone and camera; a student what they have the floor for.
  startPublishing() {
    this.set({ wantPublish: true, error: null });
    return this.run(() => this.publish()).catch((e) => this.failed(e));
  }

  stopPublishing(tell = true) {
    this.set({ wantPublish: false });
    const was = this.publisher;
    this.closePublisher();
    this.stopTracks();
    this.set({ publishing: false, local: null, screen: null, cameraOn: false, sharingScreen: false, micMuted: false });
    if (tell && was) this.run(() => this.request('media.unpublish')).catch(() => undefined);
  }

  private allowed(): { mic: boolean; camera: boolean; screen: boolean } {
    if (this.role === 'teacher') return { mic: true, camera: true, screen: true };
    const floor = this.room.media.floor.get(this.room.me?.user_id ?? -1);
    return { mic: !!floor?.mic, camera: !!floor?.camera, screen: false };
  }

  private async capture(allowed: { mic: boolean; camera: boolean }) {
    if (allowed.mic && !this.mic) {
      try {
        const s = await navigator.mediaDevices.getUserMedia({
          audio: this.view.micId ? { deviceId: { exact: this.view.micId } } : true,
        });
        this.mic = s.getAudioTracks()[0] ?? null;
        if (this.mic) this.mic.enabled = !this.view.micMuted;
      } catch {
        this.set({ error: 'devices' });
      }
    }
    if (allowed.camera && !this.camera) {
      try {
        const s = await navigator.mediaDevices.getUserMedia({
          video: this.view.cameraId ? { ...CAMERA_CONSTRAINTS, deviceId: { exact: this.view.cameraId } } : CAMERA_CONSTRAINTS,
        });
        this.camera = s.getVideoTracks()[0] ?? null;
      } catch {
        this.set({ error: 'devices' });
      }
    }
    this.set({ local: this.camera ? new MediaStream([this.camera]) : null, cameraOn: !!this.camera });
    await this.listDevices();
  }

  private async publish() {
    if (!this.view.wantPublish || this.publisher) return;
    const allowed = this.allowed();
    if (!allowed.mic && !allowed.camera) {
      this.set({ wantPublish: false });
      return;
    }
    await this.capture(allowed);
    if (!this.mic && !this.camera && this.role !== 'teacher') {
      this.set({ wantPublish: false });
      return;
    }
    if (!this.room.media.available) return; // sync() publishes once it is back
    const pc = new RTCPeerConnection();
    const teacher = this.role === 'teacher';
    const micSender = allowed.mic ? pc.addTransceiver(this.mic ?? 'audio', { direction: 'sendonly' }).sender : null;
    const camSender = allowed.camera ? pc.addTransceiver(this.camera ?? 'video', { direction: 'sendonly' }).sender : null;
    const screenSender = allowed.screen ? pc.addTransceiver(this.screenTrack ?? 'video', { direction: 'sendonly' }).sender : null;
    if (micSender && !this.mic) await micSender.replaceTrack(null);
    if (camSender && !this.camera) await camSender.replaceTrack(null);
    this.publisher = pc;
    this.watch(pc, 'publisher');
    try {
      await pc.setLocalDescription(await pc.createOffer());
      await waitGathered(pc);
      const ack = await this.request('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription!.sdp } });
      if (this.publisher !== pc) return;
      await pc.setRemoteDescription(ack.jsep);
    } catch (e) {
      if (this.publisher === pc) this.closePublisher();
      throw e;
    }
    if (micSender) await capSender(micSender, AUDIO_MAX_BPS);
    if (camSender) await capSender(camSender, teacher ? TEACHER_CAMERA_MAX_BPS : STUDENT_CAMERA_MAX_BPS);
    if (screenSender) await capSender(screenSender, SCREEN_MAX_BPS, SCREEN_MAX_FPS);
    this.set({ error: null });
  }

  private sender(index: number): RTCRtpSender | null {
    const t = this.publisher?.getTransceivers()[index];
    return t ? t.sender : null;
  }

  setMicMuted(muted: boolean) {
    if (this.mic) this.mic.enabled = !muted;
    this.set({ micMuted: muted });
  }

  // Turns the camera off (the light goes out; the tile shows the name) or on again.
  async setCamera(on: boolean) {
    const index = this.allowed().mic ? 1 : 0;
    if (!on) {
      this.camera?.stop();
      this.camera = null;
      await this.sender(index)?.replaceTrack(null);
      this.set({ local: null, cameraOn: false });
      return;
    }
    await this.capture({ mic: false, camera: true });
    if (this.camera) await this.sender(index)?.replaceTrack(this.camera);
  }

  async shareScreen(on: boolean) {
    if (this.role !== 'teacher') return;
    if (!on) {
      this.screenTrack?.stop();
      this.screenTrack = null;
      await this.sender(2)?.replaceTrack(null);
      this.set({ sharingScreen: false, screen: null });
      return;
    }
    try {
      const s = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: SCREEN_MAX_FPS } }, audio: false });
      const track = s.getVideoTracks()[0];
      if (!track) return;
      this.screenTrack = track;
      track.onended = () => void this.shareScreen(false);
      await this.sender(2)?.replaceTrack(track);
      this.set({ sharingScreen: true, screen: new MediaStream([track]) });
    } catch {
      this.set({ error: 'screen' });
    }
  }

  async listDevices() {
    if (!navigator.mediaDevices?.enumerateDevices) return;
    const all = await navigator.mediaDevices.enumerateDevices();
    const pick = (kind: MediaDeviceKind) =>
      all.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ id: d.deviceId, label: d.label || `${kind} ${i + 1}` }));
    this.set({
      mics: pick('audioinput'), cameras: pick('videoinput'),
      micId: this.view.micId ?? this.mic?.getSettings().deviceId ?? null,
      cameraId: this.view.cameraId ?? this.camera?.getSettings().deviceId ?? null,
    });
  }

  // Switches the microphone or camera to another device without renegotiating.
  async chooseDevice(kind: 'mic' | 'camera', id: string) {
    if (kind === 'mic') {
      this.set({ micId: id });
      if (!this.mic) return;
      this.mic.stop();
      this.mic = null;
      await this.capture({ mic: true, camera: false });
      await this.sender(0)?.replaceTrack(this.mic);
    } else {
      this.set({ cameraId: id });
      if (!this.camera) return;
      await this.setCamera(false);
      await this.setCamera(true);
    }
  }

  // Low-bandwidth mode: only the teacher's audio and shared screen are received (not their camera,
  // no student video or audio). Leaving it receives everyone again. The subscription is made again
  // from nothing.
  setLowBandwidth(on: boolean) {
    this.set({ lowBandwidth: on });
    this.scheduleRejoin(0, false);
  }

  // --- failures ----------------------------------------------------------------------------------

  private watch(pc: RTCPeerConnection, target: 'publisher' | 'subscriber') {
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState;
      const grace = this.graceTimers.get(pc);
      if (grace) clearTimeout(grace);
      this.graceTimers.delete(pc);
      if (state === 'connected' || state === 'completed') {
        this.rejoinDelay = REJOIN_MIN_MS;
        // A repaired connection clears the error it caused (not a device refusal).
        if (this.view.error && this.view.error !== 'devices' && this.view.error !== 'screen') this.set({ error: null });
        if (target === 'subscriber') this.set({ receive: 'up' });
        else this.set({ publishing: true });
      } else if (state === 'failed') {
        this.repair(pc, target);
      } else if (state === 'disconnected') {
        this.graceTimers.set(pc, setTimeout(() => this.repair(pc, target), DISCONNECTED_GRACE_MS));
      }
    };
  }

  private repair(pc: RTCPeerConnection, target: 'publisher' | 'subscriber') {
    if (target === 'subscriber') {
      if (this.subscriber === pc) this.scheduleRejoin(0);
      return;
    }
    if (this.publisher !== pc) return;
    // ICE restart: a new offer with fresh credentials, renegotiated through media.publish.
    this.set({ repairs: this.view.repairs + 1 });
    this.run(async () => {
      if (this.publisher !== pc) return;
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
      await waitGathered(pc);
      const ack = await this.request('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription!.sdp } });
      if (this.publisher === pc) await pc.setRemoteDescription(ack.jsep);
    }).catch(() => this.scheduleRejoin());
  }

  // Leaves the media server and comes back: publish again if publishing, subscribe again.
  private scheduleRejoin(delay = this.rejoinDelay, repair = true) {
    if (this.stopped || this.rejoinTimer) return;
    if (repair && (this.subscriber || this.publisher)) this.set({ receive: 'repairing', repairs: this.view.repairs + 1 });
    this.rejoinTimer = setTimeout(() => {
      this.rejoinTimer = null;
      this.rejoinDelay = Math.min(REJOIN_MAX_MS, this.rejoinDelay * 2);
      this.run(async () => {
        const had = this.subscriber || this.publisher;
        this.closeAll();
        if (had && this.room.media.available) await this.request('media.leave').catch(() => undefined);
      }).then(() => this.sync());
    }, delay);
  }

  private closePublisher() {
    this.publisher?.close();
    this.publisher = null;
  }

  private closeAll() {
    this.closePublisher();
    this.subscriber?.close();
    this.subscriber = null;
    this.subscribed.clear();
    this.received.clear();
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.graceTimers.clear();
    this.set({ publishing: false, remote: [], receive: 'idle' });
  }

  private stopTracks() {
    for (const t of [this.mic, this.camera, this.screenTrack]) t?.stop();
    this.mic = this.camera = this.screenTrack = null;
  }

  stop() {
    this.stopped = true;
    if (this.rejoinTimer) clearTimeout(this.rejoinTimer);
    this.closeAll();
    this.stopTracks();
  }
}
