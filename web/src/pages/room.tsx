// The live class room: video and audio (room_media.tsx), participants with hands and connection
// quality, chat, raise hand, polls, teacher controls (lock, waiting room, mute, floor, remove,
// end), and a reconnect banner; the socket resumes by itself (live/live_client.ts) and media
// rejoins by itself (live/media_client.ts).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Principal } from '../api/types';
import { formatTime, t, type MessageKey } from '../i18n';
import { CommandError, LiveClient } from '../live/live_client';
import { emptyMediaView, MediaClient, type MediaView } from '../live/media_client';
import { emptyRoom, type Participant, type Poll, type RoomState } from '../live/room_state';
import { navigate } from '../router';
import { ConfirmButton, PageTitle } from '../ui/kit';
import { FloorButtons, MediaPanel } from './room_media';

function commandErrorText(e: unknown): string {
  if (e instanceof CommandError) {
    const key = `room.err.${e.code}` as MessageKey;
    const text = t(key, { seconds: Math.ceil((e.retryAfterMs ?? 0) / 1000) });
    return text === key ? t('room.err.generic') : text;
  }
  return t('room.err.generic');
}

function Who(props: { p: Participant }) {
  const p = props.p;
  return (
    <>
      <span>{p.name}</span>
      {p.role !== 'student' && <span class="muted"> ({t(`room.role.${p.role}` as MessageKey)})</span>}
      {p.hand !== null && <span class="badge hand"> {t('room.hand_up')}</span>}
      <span class={`quality ${p.quality}`}> {t(`room.quality.${p.quality}` as MessageKey)}</span>
      {p.state === 'reconnecting' && <span class="muted"> · {t('room.reconnecting_short')}</span>}
    </>
  );
}

function PollCard(props: { poll: Poll; teacher: boolean; client: LiveClient; onError: (e: unknown) => void }) {
  const { poll, teacher, client } = props;
  const [choice, setChoice] = useState<number | null>(poll.my_vote ?? null);
  const [voted, setVoted] = useState(poll.my_vote !== undefined);
  const showCounts = poll.counts && (teacher || !poll.open);
  return (
    <fieldset class="poll">
      <legend>{poll.question}</legend>
      {!poll.open && <p class="muted">{t('room.poll_closed')}</p>}
      {poll.open && !teacher && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (choice === null) return;
            client.send('poll.vote', { poll_id: poll.poll_id, option: choice }).then(() => {
              setVoted(true);
              props.onError(null);
            }, props.onError);
          }}
        >
          {poll.options.map((o, i) => (
            <label class="check" key={i}>
              <input type="radio" name={`poll-${poll.poll_id}`} checked={choice === i} onChange={() => setChoice(i)} />{' '}
              {o}
            </label>
          ))}
          <button type="submit">{t('room.vote')}</button>
          {voted && <span class="muted" role="status"> {t('room.voted')}</span>}
        </form>
      )}
      {showCounts && (
        <ul class="counts">
          {poll.options.map((o, i) => (
            <li key={i}>
              {t('room.poll_count', { option: o, count: poll.counts![i] ?? 0 })}
            </li>
          ))}
          <li>{t('room.poll_total', { total: poll.total ?? 0 })}</li>
        </ul>
      )}
      {teacher && poll.open && (
        <button type="button" onClick={() => client.send('poll.close', { poll_id: poll.poll_id }).catch(props.onError)}>
          {t('room.close_poll')}
        </button>
      )}
    </fieldset>
  );
}

export function Room(props: { id: string; me: Principal }) {
  const sessionId = Number(props.id);
  const [room, setRoom] = useState<RoomState>(emptyRoom());
  const [connected, setConnected] = useState(true);
  const [wasDropped, setWasDropped] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [mediaView, setMediaView] = useState<MediaView>(emptyMediaView());
  const client = useRef<LiveClient | null>(null);
  const media = useRef<MediaClient | null>(null);
  const chatEnd = useRef<HTMLLIElement>(null);

  useEffect(() => {
    let mc: MediaClient | null = null;
    const c = new LiveClient({
      sessionId,
      onState: setRoom,
      onConnection: (up) => {
        setConnected(up);
        if (!up) setWasDropped(true);
      },
      onFrame: (frame) => mc?.onFrame(frame),
    });
    mc = typeof RTCPeerConnection === 'undefined' ? null : new MediaClient(c, setMediaView);
    client.current = c;
    media.current = mc;
    c.start();
    return () => {
      mc?.stop();
      c.stop();
    };
  }, [sessionId]);

  useEffect(() => chatEnd.current?.scrollIntoView({ block: 'nearest' }), [room.chat.length]);

  const c = client.current;
  const teacher = room.me?.role === 'teacher';
  const student = room.me?.role === 'student';
  const myHandUp = room.me ? room.hands.includes(room.me.user_id) : false;
  const participants = [...room.participants.values()].sort(
    (a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'teacher' ? -1 : 1),
  );
  // Why this user's chat is refused, said beside the box (and read with it): muted one by one, or
  // everyone's public chat muted (writing privately to the teachers still works).
  const mutedNote = room.me?.muted
    ? t('room.you_are_muted')
    : student && room.room?.chat_muted_all
      ? t('room.all_muted')
      : null;
  const run = (type: string, args: Record<string, unknown> = {}) =>
    c?.send(type, args).then(() => setError(null), setError);

  const title = room.room?.title ?? t('room.title');
  if (room.status === 'ended' || room.status === 'refused') {
    return (
      <section>
        <PageTitle>{title}</PageTitle>
        <p role="alert">{t(`room.closed.${room.reason ?? 'room_ended'}` as MessageKey)}</p>
        <button type="button" onClick={() => navigate('/')}>
          {t('room.back_home')}
        </button>
      </section>
    );
  }

  return (
    <section class="room">
      <PageTitle>{title}</PageTitle>
      <div role="status" aria-live="polite" class={!connected ? 'banner warn' : wasDropped ? 'banner ok' : 'sr'}>
        {!connected ? t('room.reconnecting') : wasDropped ? t('room.reconnected') : ''}
      </div>
      {room.status === 'connecting' && <p role="status">{t('room.connecting')}</p>}
      {room.status === 'waiting' && <p role="status">{t('room.waiting')}</p>}
      {error !== null && (
        <p class="error" role="alert">
          {commandErrorText(error)}
        </p>
      )}
      {room.status === 'in_room' && media.current && (
        <MediaPanel room={room} view={mediaView} media={media.current} />
      )}
      {room.status === 'in_room' && (
        <div class="room-grid">
          <section aria-labelledby="people-h" class="card">
            <h2 id="people-h">{t('room.participants', { count: room.participants.size })}</h2>
            <ul class="people">
              {participants.map((p) => (
                <li key={p.user_id} data-user={p.user_id}>
                  <Who p={p} />
                  {teacher && p.role === 'student' && (
                    <div class="row small">
                      {p.hand !== null && (
                        <button type="button" onClick={() => run('hand.lower', { user_id: p.user_id })}>
                          {t('room.lower_hand_of', { name: p.name })}
                        </button>
                      )}
                      <button type="button" onClick={() =>
                        run('chat.mute', { user_id: p.user_id, muted: !room.muted.has(p.user_id) })}>
                        {room.muted.has(p.user_id) ? t('room.unmute_named', { name: p.name }) : t('room.mute_named', { name: p.name })}
                      </button>
                      <FloorButtons room={room} user={p.user_id} name={p.name} run={run} />
                      <ConfirmButton label={t('room.remove_named', { name: p.name })}
                        question={t('room.remove_question', { name: p.name })} confirm={t('room.remove')}
                        onConfirm={() => run('participant.remove', { user_id: p.user_id })} />
                    </div>
                  )}
                </li>
              ))}
            </ul>
            {room.hands.length > 0 && (
              <>
                <h3>{t('room.hands')}</h3>
                <ol>
                  {room.hands.map((id) => (
                    <li key={id}>{room.participants.get(id)?.name ?? id}</li>
                  ))}
                </ol>
              </>
            )}
            {student && (
              <button type="button" class="primary" aria-pressed={myHandUp}
                onClick={() => run(myHandUp ? 'hand.lower' : 'hand.raise')}>
                {myHandUp ? t('room.lower_hand') : t('room.raise_hand')}
              </button>
            )}
          </section>

          <section aria-labelledby="chat-h" class="card chat">
            <h2 id="chat-h">{t('room.chat')}</h2>
            <div role="log" aria-label={t('room.chat_log')} class="chat-log">
            <ol>
              {room.chat.map((m) => (
                <li key={m.message_id} class={m.private ? 'private' : ''}>
                  <span class="muted">{formatTime(new Date(m.at_ms).toISOString())}</span>{' '}
                  <strong>{m.from.name}:</strong> <span class="text">{m.text}</span>
                  {m.private && <span class="muted"> ({t('room.private')})</span>}
                </li>
              ))}
              <li ref={chatEnd} aria-hidden="true" class="end" />
            </ol>
            </div>
            {mutedNote && <p id="chat-muted" class="muted">{mutedNote}</p>}
            {room.me?.role !== 'observer' && (
              <form
                class="row"
                onSubmit={(e) => {
                  e.preventDefault();
                  const form = e.target as HTMLFormElement;
                  const input = form.elements.namedItem('text') as HTMLInputElement;
                  const privateBox = form.elements.namedItem('private') as HTMLInputElement | null;
                  const text = input.value.trim();
                  if (!text) return;
                  c?.send('chat.send', { text, private: !!privateBox?.checked }).then(() => {
                    input.value = '';
                    setError(null);
                  }, setError);
                }}
              >
                <label for="chat-text" class="sr">{t('room.message')}</label>
                <input id="chat-text" name="text" maxLength={500} autoComplete="off" placeholder={t('room.message')}
                  disabled={!connected} aria-describedby={mutedNote ? 'chat-muted' : undefined} />
                {student && (
                  <label class="check">
                    <input type="checkbox" name="private" /> {t('room.to_teacher')}
                  </label>
                )}
                <button type="submit" disabled={!connected}>{t('room.send')}</button>
              </form>
            )}
          </section>

          <section aria-labelledby="polls-h" class="card">
            <h2 id="polls-h">{t('room.polls')}</h2>
            {room.polls.size === 0 && <p class="muted">{t('room.no_polls')}</p>}
            {[...room.polls.values()].reverse().map((p) => c && (
              <PollCard poll={p} teacher={teacher} client={c} onError={setError} key={p.poll_id} />
            ))}
            {teacher && (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  const form = e.target as HTMLFormElement;
                  const f = new FormData(form);
                  const options = String(f.get('options')).split('\n').map((s) => s.trim()).filter(Boolean);
                  run('poll.open', { question: String(f.get('question')), options })?.then(() => form.reset());
                }}
              >
                <h3>{t('room.new_poll')}</h3>
                <label for="poll-q">{t('room.question')}</label>
                <input id="poll-q" name="question" required maxLength={300} />
                <label for="poll-o">{t('room.options')}</label>
                <textarea id="poll-o" name="options" required rows={3} aria-describedby="poll-o-hint" />
                <p id="poll-o-hint" class="hint">{t('room.options_hint')}</p>
                <button type="submit">{t('room.open_poll')}</button>
              </form>
            )}
          </section>

          {teacher && room.room && (
            <section aria-labelledby="controls-h" class="card">
              <h2 id="controls-h">{t('room.controls')}</h2>
              <label class="check">
                <input type="checkbox" checked={room.room.locked} onChange={(e) =>
                  run('room.lock', { locked: (e.target as HTMLInputElement).checked })} /> {t('room.lock')}
              </label>
              <label class="check">
                <input type="checkbox" checked={room.room.waiting_room} onChange={(e) =>
                  run('room.waiting_room', { enabled: (e.target as HTMLInputElement).checked })} /> {t('room.waiting_room')}
              </label>
              <label class="check">
                <input type="checkbox" checked={room.room.chat_muted_all} onChange={(e) =>
                  run('chat.mute_all', { muted: (e.target as HTMLInputElement).checked })} /> {t('room.mute_all')}
              </label>
              {room.hands.length > 0 && (
                <button type="button" onClick={() => run('hand.lower_all')}>{t('room.lower_all')}</button>
              )}
              {room.waiting.length > 0 && (
                <>
                  <h3>{t('room.waiting_list')}</h3>
                  <ul>
                    {room.waiting.map((w) => (
                      <li key={w.user_id}>
                        {w.name}{' '}
                        <button type="button" onClick={() => run('waiting.admit', { user_id: w.user_id })}>
                          {t('room.admit_named', { name: w.name })}
                        </button>{' '}
                        <button type="button" onClick={() => run('waiting.deny', { user_id: w.user_id })}>
                          {t('room.deny_named', { name: w.name })}
                        </button>
                      </li>
                    ))}
                  </ul>
                </>
              )}
              <ConfirmButton label={t('room.end')} question={t('room.end_question')} confirm={t('room.end')}
                class="danger" onConfirm={() => run('room.end')} />
            </section>
          )}
        </div>
      )}
    </section>
  );
}
