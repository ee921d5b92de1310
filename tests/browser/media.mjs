#!/usr/bin/env node
// Video through Janus in a real browser (issue 7, section 5): two headless chromium pages with fake
// media devices, the real `homeroom demo` with a real Janus beside it. The teacher's page publishes
// its camera and microphone through Homeroom's live socket; the student's page subscribes and
// decodes the video (inbound-rtp framesDecoded > 0); a student without the floor is refused.
//
// Janus never offers loopback addresses, so this runs inside a network namespace of its own with a
// veth pair on 198.18.0.0/15 (threats.md): run it through tests/browser/media-netns.sh, which makes
// the namespace; nothing leaves it.
//
//   tests/browser/media-netns.sh --homeroom build/dev/bin/homeroom --web-root web/dist
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
      students = withPw.slice(0, 2).map((r) => ({ username: r.username, password: passwordOf[r.username] }));
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
      '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream', '--disable-features=WebRtcHideLocalIpsWithMdns'],
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

  // The teacher publishes camera and microphone (fake devices).
  const teacher = await livePage(teacherLogin.username, teacherLogin.password);
  await teacher.page.evaluate(() => window.hr.wait((f) => f.type === 'media.available'
    || (f.type === 'welcome' && f.snapshot?.media?.available)));
  const published = await teacher.page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    const pc = new RTCPeerConnection();
    for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await window.hr.gathered(pc);
    const ack = await window.hr.command('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription.sdp } });
    if (ack.type !== 'ack') return ack;
    await pc.setRemoteDescription(ack.jsep);
    window.publisher = pc;
    return ack;
  });
  expect(published.type === 'ack', `the teacher's publish: ${JSON.stringify(published)}`);
  progress('the teacher publishes');

  // A student without the floor cannot publish.
  const refusedStudent = await livePage(students[1].username, students[1].password);
  const refused = await refusedStudent.page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pc = new RTCPeerConnection();
    pc.addTransceiver(stream.getTracks()[0], { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    return window.hr.command('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription.sdp } });
  });
  expect(refused.type === 'error' && refused.code === 'floor_required', `no floor: ${JSON.stringify(refused)}`);
  progress('a student without the floor is refused');

  // The student subscribes and decodes the teacher's video.
  const student = await livePage(students[0].username, students[0].password);
  // Subscribes once a publisher's PeerConnection is up (after seq `after`), and waits for a
  // decoded video frame.
  const subscribeAndDecode = (page, after = 0) => page.evaluate(async ([waitMs, after]) => {
    await window.hr.wait((f) => (f.type === 'welcome' && f.snapshot?.media?.publishers?.length > 0 && f.seq > after)
      || (f.type === 'media.published' && f.seq > after));
    if (window.subscriber) window.subscriber.close();
    const pc = new RTCPeerConnection();
    window.subscriber = pc;
    const ack = await window.hr.command('media.subscribe');
    if (ack.type !== 'ack') return { error: ack };
    await pc.setRemoteDescription(ack.jsep);
    await pc.setLocalDescription(await pc.createAnswer());
    await window.hr.gathered(pc);
    const started = await window.hr.command('media.start', { jsep: { type: 'answer', sdp: pc.localDescription.sdp } });
    if (started.type !== 'ack') return { error: started };
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const stats = await pc.getStats();
      for (const s of stats.values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded > 0) return { framesDecoded: s.framesDecoded };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { error: 'no video frame decoded', state: pc.iceConnectionState };
  }, [WAIT_MS, after]);
  const decoded = await subscribeAndDecode(student.page);
  expect(decoded.framesDecoded > 0, `the student decodes the teacher's video: ${JSON.stringify(decoded)}`);
  progress('the student decodes the teacher\'s video');

  // The teacher gives the student the floor for the microphone; the teacher hears them.
  const studentId = await student.page.evaluate(() => window.hr.frames.find((f) => f.type === 'welcome').user_id);
  const floor = await teacher.page.evaluate((id) => window.hr.command('media.floor', { user_id: id, mic: true }), studentId);
  expect(floor.type === 'ack', `media.floor: ${JSON.stringify(floor)}`);
  const spoke = await student.page.evaluate(async () => {
    await window.hr.wait((f) => f.type === 'media.floor' && f.mic);
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const pc = new RTCPeerConnection();
    pc.addTransceiver(stream.getTracks()[0], { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await window.hr.gathered(pc);
    const ack = await window.hr.command('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription.sdp } });
    if (ack.type === 'ack') await pc.setRemoteDescription(ack.jsep);
    window.publisher = pc;
    return ack;
  });
  expect(spoke.type === 'ack', `the student's publish with the floor: ${JSON.stringify(spoke)}`);
  const heard = await teacher.page.evaluate(async ([feed, waitMs]) => {
    await window.hr.wait((f) => f.type === 'media.published' && f.feed_id === feed);
    const pc = new RTCPeerConnection();
    const ack = await window.hr.command('media.subscribe', { feeds: [feed] });
    if (ack.type !== 'ack') return { error: ack };
    await pc.setRemoteDescription(ack.jsep);
    await pc.setLocalDescription(await pc.createAnswer());
    await window.hr.gathered(pc);
    const started = await window.hr.command('media.start', { jsep: { type: 'answer', sdp: pc.localDescription.sdp } });
    if (started.type !== 'ack') return { error: started };
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'audio' && s.packetsReceived > 0) return { packets: s.packetsReceived };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { error: 'no audio packet received', state: pc.iceConnectionState };
  }, [spoke.feed_id, WAIT_MS]);
  expect(heard.packets > 0, `the teacher hears the student: ${JSON.stringify(heard)}`);
  progress('the teacher hears the student given the floor');

  // Janus restarted mid-class: the room hears media.unavailable, then media.available, and the
  // video comes back.
  janus.kill('SIGKILL');
  await teacher.page.evaluate(() => window.hr.wait((f) => f.type === 'media.unavailable'));
  progress('janus killed: media.unavailable');
  janus = startJanus();
  const availableSeq = await teacher.page.evaluate(async () => (await window.hr.wait((f) => f.type === 'media.available'
    && f.seq > window.hr.frames.find((u) => u.type === 'media.unavailable').seq)).seq);
  const republished = await teacher.page.evaluate(async () => {
    window.publisher?.close();
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    const pc = new RTCPeerConnection();
    for (const t of stream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await window.hr.gathered(pc);
    const ack = await window.hr.command('media.publish', { jsep: { type: 'offer', sdp: pc.localDescription.sdp } });
    if (ack.type === 'ack') await pc.setRemoteDescription(ack.jsep);
    window.publisher = pc;
    return ack;
  });
  expect(republished.type === 'ack', `the teacher publishes again: ${JSON.stringify(republished)}`);
  const again = await subscribeAndDecode(student.page, availableSeq);
  expect(again.framesDecoded > 0, `video after the Janus restart: ${JSON.stringify(again)}`);
  progress('janus restarted: the student decodes the teacher again');
  console.log(`media browser test: passed in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(${decoded.framesDecoded} frames decoded)`);
} catch (e) {
  console.error(`media browser test: FAILED: ${e.message}`);
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
