#!/usr/bin/env node
// Video through Janus in a real browser (issue 7, section 5): two headless chromium pages with fake
// media devices, the real `homeroom demo` with a real Janus beside it. The teacher's page publishes
// its camera and microphone through Homeroom's live socket; the student's page subscribes and
// decodes the video (inbound-rtp framesDecoded > 0); a student without the floor is refused. The
// teacher's senders carry the documented bitrate caps (docs/web.md), the device pickers list the
// fake devices and switching the camera keeps it sending; in low-bandwidth mode the student's page
// receives the teacher's audio and shared screen but not their camera (one inbound video), and
// receives the camera again when it leaves the mode.
//
// Janus never offers loopback addresses, so this runs inside a network namespace of its own with a
// veth pair on 198.18.0.0/15 (threats.md): run it through tests/browser/media-netns.sh, which makes
// the namespace; nothing leaves it.
//
//   tests/browser/media-netns.sh --homeroom build/dev/bin/homeroom --web-root web/dist
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiLogin, startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const require = createRequire(join(repo, 'web', 'package.json'));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const binary = resolve(args.homeroom ?? join(repo, 'build/test/bin/homeroom'));
const webRoot = resolve(args['web-root'] ?? join(repo, 'web/dist'));
const chromiumPath = args.chromium ?? '/usr/bin/chromium';
const WAIT_MS = Number(args['wait-ms'] ?? 30_000);
const janusBinary = '/usr/bin/janus';

for (const [what, path] of [['homeroom binary', binary], ['built web app (make web)', join(webRoot, 'index.html')],
  ['chromium (scripts/install-deps)', chromiumPath], ['janus (scripts/install-deps)', janusBinary]]) {
  if (!existsSync(path)) {
    console.error(`media browser test: missing ${what}: ${path}`);
    process.exit(1);
  }
}
const playwright = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

function expect(cond, message) {
  if (!cond) throw new Error(message);
}
const log = [];
const progress = (what) => console.log(`media browser test: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
const started = Date.now();
// Never hang: the whole test is bounded.
setTimeout(() => {
  console.error(`media browser test: FAILED: over 150 s\n${log.slice(-40).join('\n')}`);
  process.exit(1);
}, 150_000).unref();

// --- Janus on the configuration Homeroom writes --------------------------------------------------
const janusDir = mkdtempSync(join(tmpdir(), 'homeroom-media-janus-'));
const janusPort = 18000 + Math.floor(Math.random() * 1000);
execFileSync(binary, ['janus-config', '--dir', janusDir, '--http-port', String(janusPort),
  '--admin-port', String(janusPort + 1000), '--rtp-ports', '40000-40199', '--debug-level', '3']);
function startJanus() {
  const child = spawn(janusBinary, [`--configs-folder=${janusDir}`, `--config=${join(janusDir, 'janus.jcfg')}`,
    '--disable-colors'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => log.push(`janus: ${d}`));
  child.stderr.on('data', (d) => log.push(`janus: ${d}`));
  return child;
}
let janus = startJanus();
process.once('exit', () => {
  janus.kill('SIGKILL');
  rmSync(janusDir, { recursive: true, force: true });
});

const server = await startServer({
  binary, webRoot, log: (line) => log.push(line),
  extraArgs: ['--janus', janusDir, '--janus-health-interval-ms', '200'],
});
let browser;
const debugPages = [];
try {
  progress('homeroom and janus started');
  // --- a live session with a teacher and two students ----------------------------------------------
  const teacherLogin = server.login('teacher');
  const teacherApi = await apiLogin(server.base, teacherLogin.username, teacherLogin.password);
  const passwordOf = Object.fromEntries(server.users.map((u) => [u.username, u.password]));
  let section = null, students = [];
  for (const s of (await teacherApi.get('/api/v1/me/sections')).items) {
    const roster = await teacherApi.get(`/api/v1/sections/${s.id}/roster?limit=200`);
    const withPw = roster.items.filter((r) => r.role === 'student' && passwordOf[r.username]);
    if (withPw.length >= 2) {
      section = s;
      students = withPw.slice(0, 2).map((r) => ({ id: r.user_id,
        username: r.username, password: passwordOf[r.username] }));
      break;
    }
  }
  expect(section, 'the demo teacher has no section with two students');
  const now = Date.now();
  const authed = { 'Content-Type': 'application/json', Authorization: `Bearer ${teacherLogin && teacherApi.token}` };
  let res = await fetch(`${server.base}/api/v1/sections/${section.id}/live-sessions`, {
    method: 'POST', headers: authed,
    body: JSON.stringify({ title: 'Media test', starts_at: new Date(now - 60_000).toISOString(),
      ends_at: new Date(now + 30 * 60_000).toISOString() }),
  });
  const created = await res.text();
  expect(res.status === 201, `create the live session: ${res.status} ${created}`);
  const sessionId = JSON.parse(created).items[0].id;
  progress(`live session ${sessionId} created`);
  res = await fetch(`${server.base}/api/v1/live-sessions/${sessionId}/start`, { method: 'POST', headers: authed });
  expect(res.ok, `start the live session: ${res.status}`);
  progress(`live session ${sessionId} started`);

  // --- the browser -------------------------------------------------------------------------------
  browser = await playwright.chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      // Three fake cameras (and chromium's three fake microphones) for the device pickers; the
      // fake UI also accepts getDisplayMedia with a fake screen.
      '--use-fake-device-for-media-stream=device-count=3', '--use-fake-ui-for-media-stream',
      '--auto-select-desktop-capture-source=Entire screen', '--disable-features=WebRtcHideLocalIpsWithMdns',
      '--autoplay-policy=no-user-gesture-required'],
  });

  progress('chromium launched');
  // A page signed in as `username`, with a live socket helper in it (window.hr).
  async function livePage(username, password) {
    const context = await browser.newContext({ baseURL: server.base });
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    page.on('pageerror', (e) => log.push(`${username}: page error: ${e.message}`));
    await page.goto('/signin');
    await page.evaluate(async ([u, p, session]) => {
      const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: u, password: p }) });
      if (!r.ok) throw new Error(`sign in: ${r.status}`);
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/api/v1/live?session=${session}`);
      const frames = [];
      const waiters = [];
      ws.onmessage = (m) => {
        const f = JSON.parse(m.data);
        frames.push(f);
        for (const w of [...waiters]) if (w.match(f)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(f); }
      };
      await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
      let nextId = 1;
      const wait = (match, ms = 30_000) => {
        const found = frames.find(match);
        if (found) return Promise.resolve(found);
        return new Promise((resolve, reject) => {
          const w = { match, resolve };
          waiters.push(w);
          setTimeout(() => {
            if (!waiters.includes(w)) return;
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`timed out waiting; frames: ${JSON.stringify(frames.map((f) => f.type))}`));
          }, ms);
        });
      };
      const command = (type, fields = {}) => {
        const id = nextId++;
        ws.send(JSON.stringify({ id, type, ...fields }));
        return wait((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
      };
      const gathered = (pc) => new Promise((ok) => {
        if (pc.iceGatheringState === 'complete') return ok();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && ok());
      });
      window.hr = { ws, frames, wait, command, gathered };
    }, [username, password, sessionId]);
    return { page, context };
  }

  // The real room page (web/src/pages/room.tsx, room_media.tsx), signed in through the page.
  async function roomPage(username, password) {
    const context = await browser.newContext({ baseURL: server.base });
    context.setDefaultTimeout(WAIT_MS);
    // Every PeerConnection the page makes, for getStats and the senders' parameters.
    await context.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      window.hrPeerConnections = [];
      window.RTCPeerConnection = class extends Native {
        constructor(...a) {
          super(...a);
          window.hrPeerConnections.push(this);
        }
      };
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => log.push(`${username}: page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && log.push(`${username}: console: ${m.text()}`));
    await page.goto('/signin');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
    await page.goto(`/room/${sessionId}`);
    await page.getByRole('heading', { name: 'Video and audio' }).waitFor();
    debugPages.push([username, page]);
    return { page, context };
  }
  // axe-core on the page as it is now (as run.mjs does): serious or critical violations fail.
  async function axe(page, name) {
    const violations = await page.evaluate(async (source) => {
      if (!window.axe) (0, eval)(source);
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    }, axeSource);
    expect(violations.length === 0, `axe on ${name}: ${JSON.stringify(violations, null, 1)}`);
  }
  // Waits until the <video> whose label starts with `label` shows decoded frames; returns how many.
  async function framesShown(page, label) {
    const video = page.locator(`video[aria-label^="${label}"]`).first();
    await video.waitFor({ state: 'attached' });
    await page.waitForFunction((el) => el.videoWidth > 0 && el.getVideoPlaybackQuality().totalVideoFrames > 0,
      await video.elementHandle(), { timeout: WAIT_MS, polling: 250 });
    return video.evaluate((el) => el.getVideoPlaybackQuality().totalVideoFrames);
  }
  // Waits until the first <video> whose label starts with `label` shows 3 more frames than when
  // first looked at (a replaced element starts again from its own count).
  async function framesGrow(page, label) {
    await page.waitForFunction((label) => {
      const el = document.querySelector(`video[aria-label^="${label}"]`);
      if (!el) return false;
      const n = el.getVideoPlaybackQuality().totalVideoFrames;
      if (el.dataset.baseFrames === undefined) el.dataset.baseFrames = String(n);
      return n >= Number(el.dataset.baseFrames) + 3;
    }, label, { timeout: WAIT_MS, polling: 250 });
  }
  // Waits until the <audio> whose label starts with `label` receives packets (its remote track unmutes).
  async function audioArrives(page, label) {
    const audio = page.locator(`audio[aria-label^="${label}"]`).first();
    await audio.waitFor({ state: 'attached' });
    await page.waitForFunction((el) => el.srcObject?.getAudioTracks().some((t) => !t.muted && t.readyState === 'live'),
      await audio.elementHandle(), { timeout: WAIT_MS, polling: 250 });
  }

  // What the page's open subscriber PeerConnection receives: per inbound-rtp report, its kind and
  // frames decoded (videos), as [{kind, framesDecoded}].
  async function inbound(page) {
    return page.evaluate(async () => {
      const out = [];
      for (const pc of window.hrPeerConnections) {
        if (pc.signalingState === 'closed') continue;
        if (!pc.getTransceivers().some((t) => t.currentDirection === 'recvonly')) continue;
        for (const r of (await pc.getStats()).values()) {
          if (r.type === 'inbound-rtp') out.push({ kind: r.kind, framesDecoded: r.framesDecoded ?? 0 });
        }
      }
      return out;
    });
  }
  // Waits until what the page receives satisfies `ok` (see inbound); returns it.
  async function inboundUntil(page, ok, what) {
    const deadline = Date.now() + WAIT_MS;
    let last = [];
    while (Date.now() < deadline) {
      last = await inbound(page);
      if (ok(last)) return last;
      await page.waitForTimeout(250);
    }
    throw new Error(`${what}: inbound-rtp is ${JSON.stringify(last)}`);
  }
  const videosIn = (reports) => reports.filter((r) => r.kind === 'video');
  const audioIn = (reports) => reports.some((r) => r.kind === 'audio');
  // The teacher's publisher senders in transceiver order (microphone, camera, screen): each one's
  // first encoding's caps, its track's label and its outbound-rtp frames encoded.
  async function senders(page) {
    return page.evaluate(async () => {
      const pc = window.hrPeerConnections.find((p) => p.signalingState !== 'closed' &&
        p.getTransceivers().some((t) => t.direction === 'sendonly'));
      if (!pc) return [];
      return Promise.all(pc.getTransceivers().map(async (t) => {
        const e = t.sender.getParameters().encodings?.[0] ?? {};
        let framesEncoded = 0;
        for (const r of (await t.sender.getStats()).values()) {
          if (r.type === 'outbound-rtp') framesEncoded += r.framesEncoded ?? 0;
        }
        return { maxBitrate: e.maxBitrate, maxFramerate: e.maxFramerate, track: t.sender.track?.label ?? null,
          framesEncoded };
      }));
    });
  }
  async function sendersUntil(page, ok, what) {
    const deadline = Date.now() + WAIT_MS;
    let last = [];
    while (Date.now() < deadline) {
      last = await senders(page);
      if (last.length === 3 && ok(last)) return last;
      await page.waitForTimeout(250);
    }
    throw new Error(`${what}: the teacher's senders are ${JSON.stringify(last)}`);
  }

  // The teacher starts camera and microphone with the room page's button (fake devices).
  const teacher = await roomPage(teacherLogin.username, teacherLogin.password);
  await teacher.page.getByRole('button', { name: 'Start camera and microphone' }).click();
  await framesShown(teacher.page, 'Your camera');
  await teacher.page.getByRole('button', { name: 'Mute microphone' }).waitFor();
  progress('the teacher starts camera and microphone in the room page');

  // Bitrate caps (docs/web.md, "Video and audio"): the teacher's camera at 500 kbps, the screen at
  // 800 kbps and 5 frames a second, the microphone at 32 kbps.
  await teacher.page.getByRole('button', { name: 'Share screen' }).click();
  await framesShown(teacher.page, 'Your shared screen');
  const capped = await sendersUntil(teacher.page,
    ([mic, camera, screen]) => camera.maxBitrate !== undefined && screen.track !== null, 'caps');
  expect(capped[0].maxBitrate === 32_000, `microphone cap: ${JSON.stringify(capped[0])}`);
  expect(capped[1].maxBitrate === 500_000, `camera cap: ${JSON.stringify(capped[1])}`);
  expect(capped[2].maxBitrate === 800_000 && capped[2].maxFramerate === 5, `screen cap: ${JSON.stringify(capped[2])}`);
  progress('the teacher shares the screen; the senders carry the bitrate caps');

  // The device pickers list the fake devices (three cameras, several microphones); choosing
  // another camera replaces the camera's track and it keeps sending, with its cap. The other camera
  // is fake_device_2: chromium's fake_device_1 is a depth camera (Y16) that WebRTC does not encode.
  const before = await sendersUntil(teacher.page, ([, camera]) => camera.framesEncoded >= capped[1].framesEncoded + 10,
    'the camera encodes before the switch');
  const cameraPicker = teacher.page.getByLabel('Camera', { exact: true });
  const cameraOptions = await cameraPicker.locator('option').allTextContents();
  const micOptions = await teacher.page.getByLabel('Microphone', { exact: true }).locator('option').allTextContents();
  expect(cameraOptions.length === 3, `camera picker: ${JSON.stringify(cameraOptions)}`);
  expect(micOptions.length >= 2, `microphone picker: ${JSON.stringify(micOptions)}`);
  const firstCamera = capped[1].track;
  const other = 'fake_device_2';
  expect(firstCamera !== other && cameraOptions.includes(firstCamera) && cameraOptions.includes(other),
    `the camera sends ${firstCamera}, the picker has ${cameraOptions}`);
  await cameraPicker.selectOption({ label: other });
  const switched = await sendersUntil(teacher.page, ([, camera]) => camera.track === other, 'camera switch');
  await sendersUntil(teacher.page, ([, camera]) => camera.track === other &&
    camera.framesEncoded >= switched[1].framesEncoded + 10, 'the switched camera keeps encoding');
  expect(switched[1].maxBitrate === 500_000, `camera cap after the switch: ${JSON.stringify(switched[1])}`);
  progress(`the teacher switches the camera (${firstCamera} to ${other}) and it keeps sending`);

  // A student without the floor cannot publish: the page offers no button, and Homeroom refuses a
  // hand-made offer (a socket of a second student, since a user's new socket replaces the old).
  const refusedStudent = await livePage(students[1].username, students[1].password);
  const refused = await refusedStudent.page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pc = new RTCPeerConnection();
    pc.addTransceiver(stream.getTracks()[0], { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    return window.hr.command('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription.sdp } });
  });
  expect(refused.type === 'error' && refused.code === 'floor_required', `no floor: ${JSON.stringify(refused)}`);
  await refusedStudent.context.close();
  progress('a student without the floor is refused');

  // The student's room page shows the teacher's camera, decoded.
  const student = await roomPage(students[0].username, students[0].password);
  expect(await student.page.getByRole('button', { name: /Turn on your/ }).count() === 0,
    'a student without the floor is offered a microphone button');
  const decoded = await framesShown(student.page, 'Camera of ');
  progress(`the student's page shows the teacher's video (${decoded} frames)`);

  // The teacher gives the student the microphone from the participants list; the student turns it
  // on; the teacher's page receives the student's audio.
  const studentId = students[0].id;
  await teacher.page.locator(`li[data-user="${studentId}"]`).getByRole('button', { name: /^Give the microphone to / }).click();
  await student.page.getByRole('button', { name: 'Turn on your microphone' }).click();
  await audioArrives(teacher.page, 'Microphone of ');
  await axe(teacher.page, 'the teacher\'s room with video');
  await axe(student.page, 'the student\'s room with the floor');
  progress('the teacher hears the student given the floor');

  // Taking the floor back unpublishes the student: the teacher no longer receives them.
  await teacher.page.locator(`li[data-user="${studentId}"]`).getByRole('button', { name: /^Take the microphone back from / }).click();
  await teacher.page.locator('audio[aria-label^="Microphone of "]').waitFor({ state: 'detached' });
  await student.page.getByRole('button', { name: 'Turn on your microphone' }).waitFor({ state: 'detached' });
  progress('taking the floor back stops the student');

  // The media path breaks (the veth pair goes down, the live socket on loopback stays up) and
  // comes back: the pages repair their PeerConnections (ICE restart for the teacher's publisher,
  // a rejoin for the student's subscriber) and the teacher's video plays again.
  const repairsOf = (page) => page.locator('section.media').getAttribute('data-repairs').then(Number);
  const repairsBefore = await repairsOf(student.page);
  execFileSync('ip', ['link', 'set', 'hrmedia0', 'down']);
  await student.page.waitForFunction((n) => Number(document.querySelector('section.media')?.dataset.repairs) > n,
    repairsBefore, { timeout: WAIT_MS, polling: 250 });
  execFileSync('ip', ['link', 'set', 'hrmedia0', 'up']);
  await framesGrow(student.page, 'Camera of ');
  progress(`the media path broke and came back: the pages repaired (teacher ${await repairsOf(teacher.page)}, ` +
    `student ${await repairsOf(student.page)} repairs) and the student's page shows the teacher again`);

  // The student's page receives the teacher's camera, shared screen and microphone: two videos.
  await inboundUntil(student.page, (r) => videosIn(r).length === 2 && videosIn(r).every((v) => v.framesDecoded > 0) &&
    audioIn(r), 'camera, screen and audio before low-bandwidth mode');
  await framesGrow(student.page, 'Screen shared by ');

  // Low-bandwidth mode: the student's page subscribes again, to the teacher's audio and shared
  // screen only: one inbound video (the screen, decoded), audio, and no camera.
  await student.page.locator('video[aria-label^="Screen shared by "]').evaluate((el) => { el.dataset.before = '1'; });
  await student.page.getByRole('checkbox', { name: /^Low bandwidth/ }).check();
  await student.page.locator('video[aria-label^="Screen shared by "]:not([data-before])').waitFor({ state: 'attached' });
  await framesGrow(student.page, 'Screen shared by ');
  const low = await inboundUntil(student.page, (r) => videosIn(r).length >= 1 && videosIn(r)[0].framesDecoded > 0 &&
    audioIn(r), 'low-bandwidth mode');
  expect(videosIn(low).length === 1, `low-bandwidth mode receives ${videosIn(low).length} videos`);
  await audioArrives(student.page, 'Microphone of ');
  expect(await student.page.locator('video[aria-label^="Camera of "]').count() === 0,
    'low-bandwidth mode shows the teacher\'s camera');
  // Still one video a while later (the camera is not added by a later renegotiation).
  await framesGrow(student.page, 'Screen shared by ');
  expect(videosIn(await inbound(student.page)).length === 1, 'low-bandwidth mode receives the camera later');
  await axe(student.page, 'the student\'s room in low-bandwidth mode');
  progress(`low-bandwidth mode receives the teacher's audio and screen only (${JSON.stringify(low)})`);

  // Leaving the mode receives the camera again.
  await student.page.getByRole('checkbox', { name: /^Low bandwidth/ }).uncheck();
  await framesShown(student.page, 'Camera of ');
  await inboundUntil(student.page, (r) => videosIn(r).length === 2 && videosIn(r).every((v) => v.framesDecoded > 0) &&
    audioIn(r), 'leaving low-bandwidth mode');
  progress('leaving low-bandwidth mode receives the camera again');

  // The teacher stops and starts again (the same feed id, a new publication): the student's page
  // drops the teacher and then receives them again.
  await teacher.page.getByRole('button', { name: 'Stop video and audio' }).click();
  await student.page.locator('video[aria-label^="Camera of "]').waitFor({ state: 'detached' });
  await teacher.page.getByRole('button', { name: 'Start camera and microphone' }).click();
  await framesShown(student.page, 'Camera of ');
  progress('the teacher stops and starts again: the student\'s page receives them again');

  // Janus killed mid-class: both pages show the banner, and the class goes on (chat).
  janus.kill('SIGKILL');
  for (const p of [teacher.page, student.page]) await p.locator('[data-media="unavailable"]').waitFor();
  await student.page.getByRole('textbox', { name: 'Message' }).fill('Can you hear me without video?');
  await student.page.getByRole('button', { name: 'Send' }).click();
  await teacher.page.getByRole('log').getByText('Can you hear me without video?').waitFor();
  await axe(student.page, 'the student\'s room with media unavailable');
  progress('janus killed: the banner shows and chat goes on');

  // Janus restarted: the banner goes, the teacher's page publishes again by itself, and the
  // student's page shows the teacher's video again.
  janus = startJanus();
  for (const p of [teacher.page, student.page]) await p.locator('[data-media="unavailable"]').waitFor({ state: 'detached' });
  const again = await framesShown(student.page, 'Camera of ');
  progress(`janus restarted: the student's page shows the teacher again (${again} frames)`);
  console.log(`media browser test: passed in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(${decoded} frames shown)`);
} catch (e) {
  console.error(`media browser test: FAILED: ${e.message}`);
  for (const [name, page] of debugPages) {
    const state = await page.evaluate(() => ({
      media: document.querySelector('section.media')?.innerText,
      videos: [...document.querySelectorAll('video,audio')].map((v) => `${v.getAttribute('aria-label')} ${v.videoWidth}x${v.videoHeight}`),
      pcs: window.hrPeerConnections?.map((p) => `${p.signalingState}/${p.iceConnectionState}: ` +
        p.getTransceivers().map((t) => `${t.mid}:${t.currentDirection}:${t.receiver.track.kind}:${t.receiver.track.id}:${t.receiver.track.muted}`).join(' ') + ' ' + (p.remoteDescription?.sdp ?? '').split('\n').filter((l) => l.startsWith('a=msid') || l.startsWith('a=mid') || l.startsWith('m=')).join('|')),
    })).catch((err) => String(err));
    console.error(`${name}: ${JSON.stringify(state, null, 1)}`);
  }
  console.error(log.slice(-60).join('\n'));
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  progress('chromium closed');
  const code = await server.stop();
  progress(`homeroom stopped (${code})`);
  janus.kill('SIGKILL');
  if (code !== 0) {
    console.error(`homeroom exited with ${code}`);
    process.exitCode = 1;
  }
}
