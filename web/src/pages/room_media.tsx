// The live room's video and audio (live/media_client.ts, docs/web.md "Video and audio"): the
// teacher's camera and shared screen, students' tiles while they have the floor, mute, camera,
// screen and device controls, low-bandwidth mode, and a banner when the media server is down
// (the class goes on with chat, hands and polls; video comes back by itself).
import { useEffect, useRef } from 'preact/hooks';
import { t, type MessageKey } from '../i18n';
import type { MediaClient, MediaView, RemoteMedia } from '../live/media_client';
import type { RoomState } from '../live/room_state';

function Video(props: { stream: MediaStream; label: string; kind: string; mirror?: boolean }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== props.stream) ref.current.srcObject = props.stream;
  }, [props.stream]);
  return (
    <figure class={`tile ${props.kind}`}>
      <video ref={ref} autoplay playsInline muted aria-label={props.label} data-kind={props.kind}
        class={props.mirror ? 'mirror' : ''} />
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}

function Audio(props: { stream: MediaStream; label: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== props.stream) ref.current.srcObject = props.stream;
  }, [props.stream]);
  return <audio ref={ref} autoplay aria-label={props.label} />;
}

export function mediaErrorText(code: string): string {
  const key = `media.err.${code}` as MessageKey;
  const text = t(key);
  if (text !== key) return text;
  const roomKey = `room.err.${code}` as MessageKey;
  const roomText = t(roomKey, { seconds: 1 });
  return roomText === roomKey ? t('media.err.failed') : roomText;
}

export function MediaPanel(props: { room: RoomState; view: MediaView; media: MediaClient }) {
  const { room, view, media } = props;
  const m = room.media;
  if (!m.enabled) return null;
  const me = room.me;
  const teacher = me?.role === 'teacher';
  const floor = me ? m.floor.get(me.user_id) : undefined;
  const mayPublish = teacher || !!floor?.mic || !!floor?.camera;
  const name = (user: number) => room.participants.get(user)?.name ?? String(user);
  const isTeacher = (user: number) => room.participants.get(user)?.role === 'teacher';
  const remoteLabel = (r: RemoteMedia) =>
    t(r.kind === 'screen' ? 'media.screen_of' : r.kind === 'camera' ? 'media.camera_of' : 'media.audio_of', {
      name: name(r.user_id),
    });
  const videos = view.remote.filter((r) => r.kind !== 'audio');
  const stage = videos.filter((r) => isTeacher(r.user_id));
  const tiles = videos.filter((r) => !isTeacher(r.user_id) && r.live);
  const audios = view.remote.filter((r) => r.kind === 'audio');
  // Students who are heard but not seen get a name tile.
  const heardOnly = [...new Set(audios.map((a) => a.user_id))].filter(
    (u) => !isTeacher(u) && !tiles.some((v) => v.user_id === u),
  );

  return (
    <section aria-labelledby="media-h" class="card media" data-receive={view.receive} data-repairs={view.repairs}>
      <h2 id="media-h">{t('media.title')}</h2>
      {!m.available && (
        <p class="banner warn" role="status" data-media="unavailable">
          {t('media.unavailable')}
        </p>
      )}
      {m.available && view.receive === 'repairing' && <p class="banner warn" role="status">{t('media.repairing')}</p>}
      {m.available && view.receive === 'connecting' && <p role="status" class="muted">{t('media.connecting')}</p>}
      {view.error && (
        <p class="error" role="alert">
          {mediaErrorText(view.error)}
        </p>
      )}
      <div class="stage">
        {stage.filter((r) => r.kind === 'screen' && r.live).map((r) => (
          <Video key={r.key} stream={r.stream} label={remoteLabel(r)} kind="screen" />
        ))}
        {stage.filter((r) => r.kind === 'camera').map((r) => (
          <Video key={r.key} stream={r.stream} label={remoteLabel(r)} kind="camera" />
        ))}
        {view.screen && <Video stream={view.screen} label={t('media.your_screen')} kind="screen" />}
        {view.local && <Video stream={view.local} label={t('media.your_camera')} kind="camera self" mirror />}
        {m.available && !teacher && !view.lowBandwidth && stage.length === 0 && (
          <p class="muted">{t('media.teacher_not_sending')}</p>
        )}
        {m.available && !teacher && view.lowBandwidth && !stage.some((r) => r.kind === 'screen' && r.live) && (
          <p class="muted">{t('media.low_bandwidth_waiting')}</p>
        )}
      </div>
      {(tiles.length > 0 || heardOnly.length > 0) && (
        <div class="tiles">
          {tiles.map((r) => (
            <Video key={r.key} stream={r.stream} label={remoteLabel(r)} kind="camera" />
          ))}
          {heardOnly.map((u) => (
            <figure class="tile audio-only" key={u}>
              <figcaption>{t('media.audio_of', { name: name(u) })}</figcaption>
            </figure>
          ))}
        </div>
      )}
      {audios.map((r) => <Audio key={r.key} stream={r.stream} label={remoteLabel(r)} />)}

      <div class="row media-controls">
        {mayPublish && !view.wantPublish && (
          <button type="button" class="primary" disabled={!m.available} onClick={() => media.startPublishing()}>
            {teacher ? t('media.start_teacher') : floor?.camera ? t('media.start_camera') : t('media.start_mic')}
          </button>
        )}
        {view.wantPublish && (
          <>
            <button type="button" aria-pressed={view.micMuted} onClick={() => media.setMicMuted(!view.micMuted)}>
              {view.micMuted ? t('media.unmute') : t('media.mute')}
            </button>
            {(teacher || floor?.camera) && (
              <button type="button" aria-pressed={!view.cameraOn} onClick={() => void media.setCamera(!view.cameraOn)}>
                {view.cameraOn ? t('media.camera_off') : t('media.camera_on')}
              </button>
            )}
            {teacher && (
              <button type="button" aria-pressed={view.sharingScreen} onClick={() => void media.shareScreen(!view.sharingScreen)}>
                {view.sharingScreen ? t('media.stop_share') : t('media.share')}
              </button>
            )}
            <button type="button" onClick={() => media.stopPublishing()}>
              {t('media.stop')}
            </button>
          </>
        )}
        <label class="check">
          <input type="checkbox" checked={view.lowBandwidth}
            onChange={(e) => media.setLowBandwidth((e.target as HTMLInputElement).checked)} /> {t('media.low_bandwidth')}
        </label>
      </div>
      {view.wantPublish && (view.mics.length > 1 || view.cameras.length > 1) && (
        <div class="row media-devices">
          {view.mics.length > 1 && (
            <>
              <label for="media-mic">{t('media.microphone')}</label>
              <select id="media-mic" value={view.micId ?? ''}
                onChange={(e) => void media.chooseDevice('mic', (e.target as HTMLSelectElement).value)}>
                {view.mics.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
              </select>
            </>
          )}
          {view.cameras.length > 1 && (
            <>
              <label for="media-camera">{t('media.camera')}</label>
              <select id="media-camera" value={view.cameraId ?? ''}
                onChange={(e) => void media.chooseDevice('camera', (e.target as HTMLSelectElement).value)}>
                {view.cameras.map((d) => <option key={d.id} value={d.id}>{d.label}</option>)}
              </select>
            </>
          )}
        </div>
      )}
      {!teacher && floor && (floor.mic || floor.camera) && <p class="muted">{t('media.you_have_floor')}</p>}
    </section>
  );
}

// The teacher's floor buttons for one student (in the participants list).
export function FloorButtons(props: {
  room: RoomState;
  user: number;
  name: string;
  run: (type: string, args: Record<string, unknown>) => unknown;
}) {
  const { room, user, name, run } = props;
  if (!room.media.enabled) return null;
  const floor = room.media.floor.get(user);
  return (
    <>
      <button type="button" aria-pressed={!!floor?.mic}
        onClick={() => run('media.floor', { user_id: user, mic: !floor?.mic })}>
        {floor?.mic ? t('media.take_mic', { name }) : t('media.give_mic', { name })}
      </button>
      <button type="button" aria-pressed={!!floor?.camera}
        onClick={() => run('media.floor', { user_id: user, camera: !floor?.camera })}>
        {floor?.camera ? t('media.take_camera', { name }) : t('media.give_camera', { name })}
      </button>
    </>
  );
}
