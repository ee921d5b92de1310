#!/usr/bin/env node
// Janus fan-out benchmark (issue 7, section 6): how many students watching one teacher at about
// 500 kbps one core of Janus serves. Figures and how to read them: bench/RESULTS.md, "Media";
// the capacity model built on them: docs/capacity.md.
//
//   node bench/media/fanout.mjs --homeroom build/release/bin/homeroom --steps 0,5,10,20,40
//
// What it does, all on this machine and inside a network namespace the script makes itself
// (threats.md: nothing leaves it; Janus never offers loopback addresses, so media runs over a veth
// pair with 198.18.0.0/15 addresses, as tests/browser/media-netns.sh does for the media test):
//
// 1. A synthetic district (`homeroom generate-district --with-passwords`) with one class enlarged to
//    hold every student the run needs, imported into a fresh store; Janus started on the
//    configuration `homeroom janus-config` writes (the operators' defaults); `homeroom serve` with
//    `--janus` on it.
// 2. The class's teacher signs in to the real room page in headless chromium and starts camera and
//    microphone with its button: the real client, with its caps (camera 500 kbps, microphone
//    32 kbps). The fake camera plays a generated noise video (bench/media/noise.mjs) so that the
//    encoder really sends at its cap; the fake microphone is chromium's beep. With --screen the
//    teacher also clicks "Share screen" (the fake capture again, at the screen caps).
// 3. Subscribers: each is a distinct student account of the class that signs in (POST
//    /api/v1/auth/login) and opens its own live socket (GET /api/v1/live, bearer token) and sends
//    media.subscribe / media.start exactly as the room page does (docs/live-protocol.md, "Media");
//    its RTCPeerConnection lives in a chromium page (several subscribers per page), which decodes
//    the teacher's video and audio as a student's browser does.
// 4. For each step N (subscribers added until there are N): wait until every subscriber decodes,
//    settle, then over a fixed window read the CPU time (utime+stime, /proc/PID/stat) of Janus,
//    Homeroom and the browser, the machine's busy time (/proc/stat), and every subscriber's
//    inbound-rtp bytes and decoded frames (so a step whose subscribers did not really receive the
//    stream shows it). A least-squares line through (N, Janus CPU) gives the cost per subscriber
//    (the slope) and the fixed cost (the teacher's ingest, Janus's own threads). Janus's idle cost
//    (its room, nobody publishing) is read before the teacher starts.
// 5. The floor beside it: bench_media_reference (reference_relay.cc), a bare UDP relay of the same
//    packets to N sockets, for each step, after the browser is closed.
//
// Bounded: at most --max-subscribers (100) subscribers, every wait has a deadline, the whole run
// has one (--deadline-s, 1200), and every process it started dies with it.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { writeNoiseY4m } from './noise.mjs';
import { fitLine, parseArgs, parseSteps, readCpuTicks, summarize } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const args = parseArgs(process.argv.slice(2));
const NETNS_ENV = 'HOMEROOM_MEDIA_BENCH_NETNS';

// --- Outside the namespace: make it and run this script again inside it. ------------------------
if (process.env[NETNS_ENV] !== '1') {
  for (const tool of ['ip', 'unshare']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      console.error(`media fan-out bench: needs ${tool} (iproute2, util-linux): scripts/install-deps`);
      process.exit(1);
    }
  }
  const probe = spawnSync('unshare', ['--net', 'sh', '-c', 'ip link set lo up && ip link add hrprobe0 type veth peer name hrprobe1'],
    { encoding: 'utf8' });
  if (probe.status !== 0) {
    console.error(`media fan-out bench: cannot make its network namespace (needs CAP_SYS_ADMIN and CAP_NET_ADMIN): ${probe.stderr}`);
    process.exit(1);
  }
  const setup = [
    'set -e', 'ip link set lo up', 'ip link add hrbench0 type veth peer name hrbench1',
    'ip addr add 198.18.0.1/24 dev hrbench0', 'ip addr add 198.18.0.2/24 dev hrbench1',
    'ip link set hrbench0 up', 'ip link set hrbench1 up',
    // Janus learns its address from the default route; the route leads to the veth pair, inside.
    'ip route add default via 198.18.0.2 dev hrbench0',
    'exec node --experimental-websocket "$0" "$@"',
  ].join('\n');
  const child = spawn('unshare', ['--net', 'sh', '-c', setup, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, [NETNS_ENV]: '1' } });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

async function main() {
  const binary = resolve(args.homeroom ?? join(repo, 'build/release/bin/homeroom'));
  let webRoot = resolve(args['web-root'] ?? join(repo, 'web/dist'));
  const chromiumPath = args.chromium ?? '/usr/bin/chromium';
  const janusBinary = '/usr/bin/janus';
  const steps = parseSteps(args.steps ?? '0,10,20,40,60');
  const maxSubscribers = Number(args['max-subscribers'] ?? 100);
  const windowS = Number(args['window-s'] ?? 20);
  const settleS = Number(args['settle-s'] ?? 8);
  const perPage = Number(args['per-page'] ?? 8);
  const deadlineS = Number(args['deadline-s'] ?? 1200);
  const jsonOut = args.json ? resolve(args.json) : null;
  const reference = resolve(args.reference ?? join(repo, 'build/release/bench/media/bench_media_reference'));
  const patch = Number(args.patch ?? 0.3);
  // Janus's scheduling priority: the browsers and whatever else runs on these cores should delay
  // it as little as possible, as on a media server of its own (root only; 0: as started).
  const janusNice = Number(args['janus-nice'] ?? (process.getuid() === 0 ? -10 : 0));
  // `homeroom janus-config --event-loops`: unset (0), Janus gives every handle a thread of its own;
  // N shares N loop threads among all handles.
  const eventLoops = args['event-loops'] ? Number(args['event-loops']) : null;
  // --screen: the teacher shares the screen as well (a second video stream to every subscriber).
  const shareScreen = args.screen === 'true';
  const WAIT_MS = 60_000;
  if (steps.at(-1) > maxSubscribers) {
    console.error(`media fan-out bench: ${steps.at(-1)} subscribers is over --max-subscribers ${maxSubscribers}`);
    process.exit(2);
  }
  for (const [what, path] of [['homeroom binary', binary], ['built web app (make web)', join(webRoot, 'index.html')],
    ['chromium (scripts/install-deps)', chromiumPath], ['janus (scripts/install-deps)', janusBinary]]) {
    if (!existsSync(path)) {
      console.error(`media fan-out bench: missing ${what}: ${path}`);
      process.exit(1);
    }
  }
  const require = createRequire(join(repo, 'web', 'package.json'));
  const playwright = require('playwright-core');
  const started = Date.now();
  const say = (what) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);
  const log = [];
  setTimeout(() => {
    console.error(`media fan-out bench: FAILED: over ${deadlineS} s\n${log.slice(-40).join('\n')}`);
    process.exit(1);
  }, deadlineS * 1000).unref();

  const work = mkdtempSync(join(tmpdir(), 'homeroom-media-bench-'));
  const children = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));

  // --- 1. The district, Janus and Homeroom ----------------------------------------------------------
  const students = Math.max(400, maxSubscribers * 4);
  const set = join(work, 'district');
  execFileSync(binary, ['generate-district', '--students', String(students), '--with-passwords', set], { stdio: 'ignore' });
  const users = readCsv(join(set, 'users.csv'));
  const enrollments = readCsv(join(set, 'enrollments.csv'));
  const classId = 'cls-0000001';
  const klass = readCsv(join(set, 'classes.csv')).find((c) => c.sourcedId === classId);
  const teacherRow = enrollments.find((e) => e.classSourcedId === classId && e.role === 'teacher' && e.primary === 'true');
  const teacher = users.find((u) => u.sourcedId === teacherRow.userSourcedId);
  const inClass = new Set(enrollments.filter((e) => e.classSourcedId === classId).map((e) => e.userSourcedId));
  const extra = users.filter((u) => u.role === 'student' && u.orgSourcedIds === klass.schoolSourcedId && !inClass.has(u.sourcedId));
  const needed = maxSubscribers - [...inClass].filter((id) => id.startsWith('stu-')).length;
  if (extra.length < needed) throw new Error(`the generated school has too few students (${extra.length} < ${needed})`);
  appendFileSync(join(set, 'enrollments.csv'), extra.slice(0, Math.max(0, needed)).map((u, i) =>
    `enr-bench-${String(i + 1).padStart(6, '0')},active,2025-08-01T00:00:00Z,${classId},${klass.schoolSourcedId},` +
    `${u.sourcedId},student,false,,\n`).join(''));
  const dataDir = join(work, 'data');
  execFileSync(binary, ['import', '--data-dir', dataDir, set], { stdio: ['ignore', 'ignore', 'inherit'] });
  const classStudents = enrollments.filter((e) => e.classSourcedId === classId && e.role === 'student').map((e) => e.userSourcedId)
    .concat(extra.slice(0, Math.max(0, needed)).map((u) => u.sourcedId))
    .map((id) => users.find((u) => u.sourcedId === id));
  say(`district: ${students} students, class ${classId} with ${classStudents.length} students, imported`);

  const janusDir = join(work, 'janus');
  const janusPort = 18000 + Math.floor(Math.random() * 1000);
  execFileSync(binary, ['janus-config', '--dir', janusDir, '--http-port', String(janusPort),
    '--admin-port', String(janusPort + 1000), '--rtp-ports', '40000-40999',
    ...(eventLoops !== null ? ['--event-loops', String(eventLoops)] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
  // nice(1) execs Janus: the pid is Janus's.
  const janus = spawn('nice', ['-n', String(janusNice), janusBinary, `--configs-folder=${janusDir}`,
    `--config=${join(janusDir, 'janus.jcfg')}`, '--disable-colors'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(janus);
  for (const s of [janus.stdout, janus.stderr]) createInterface({ input: s }).on('line', (l) => log.push(`janus: ${l}`));

  const server = spawn(binary, ['serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0',
    '--web-root', webRoot, '--janus', janusDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(server);
  const port = await new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error('homeroom serve did not start within 60 s')), 60_000);
    server.once('exit', (code) => reject(new Error(`homeroom serve exited with ${code}: ${log.slice(-10).join('\n')}`)));
    for (const s of [server.stdout, server.stderr]) {
      createInterface({ input: s }).on('line', (line) => {
        log.push(`homeroom: ${line}`);
        try {
          const e = JSON.parse(line);
          if (e.event === 'serving') {
            clearTimeout(timer);
            resolvePort(e.port);
          }
        } catch {
          // not a log line
        }
      });
    }
  });
  const base = `http://127.0.0.1:${port}`;
  say(`homeroom serve on ${base}, janus pid ${janus.pid}`);

  // --- a live session of the class, started by its teacher -----------------------------------------
  const login = async (username, password) => {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password }) });
      if (res.ok) return (await res.json()).token;
      if ((res.status === 429 || res.status === 503) && attempt < 20) {
        await sleep(500);
        continue;
      }
      throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
    }
  };
  const teacherToken = await login(teacher.username, teacher.password);
  const authed = { 'Content-Type': 'application/json', Authorization: `Bearer ${teacherToken}` };
  const sections = await (await fetch(`${base}/api/v1/me/sections`, { headers: authed })).json();
  const section = sections.items.find((s) => s.title === klass.title) ?? sections.items[0];
  const now = Date.now();
  let res = await fetch(`${base}/api/v1/sections/${section.id}/live-sessions`, { method: 'POST', headers: authed,
    body: JSON.stringify({ title: 'Media fan-out bench', starts_at: new Date(now - 60_000).toISOString(),
      ends_at: new Date(now + 3 * 3600_000).toISOString() }) });
  const createdBody = await res.text();
  if (res.status !== 201) throw new Error(`create the live session: ${res.status} ${createdBody}`);
  const sessionId = JSON.parse(createdBody).items[0].id;
  res = await fetch(`${base}/api/v1/live-sessions/${sessionId}/start`, { method: 'POST', headers: authed });
  if (!res.ok) throw new Error(`start the live session: ${res.status}`);
  say(`live session ${sessionId} of section ${section.id} (${section.title}) started`);

  // Janus with its room and Homeroom's keepalives, nobody publishing: the instance's idle cost.
  const tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  await sleep(settleS * 1000);
  const idleBefore = readCpuTicks(janus.pid);
  const idleStart = process.hrtime.bigint();
  await sleep(windowS * 1000);
  const janusIdleCores = (readCpuTicks(janus.pid) - idleBefore) / tick / (Number(process.hrtime.bigint() - idleStart) / 1e9);
  say(`janus idle (a room, no publisher): ${(janusIdleCores * 100).toFixed(2)}% of a core`);

  // --- 2. chromium and the teacher -----------------------------------------------------------------
  const noise = join(work, 'noise.y4m');
  writeNoiseY4m(noise, { width: 640, height: 360, fps: 15, frames: 45, patch });
  const browser = await playwright.chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${noise}`,
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required',
      '--disable-renderer-backgrounding', '--disable-background-timer-throttling'],
  });
  try {
    const teacherContext = await browser.newContext({ baseURL: base });
    teacherContext.setDefaultTimeout(WAIT_MS);
    // Every RTCPeerConnection the app makes is kept on window.__pcs, to read the teacher's stats.
    await teacherContext.addInitScript(() => {
      const Native = window.RTCPeerConnection;
      window.__pcs = [];
      window.RTCPeerConnection = class extends Native {
        constructor(...a) {
          super(...a);
          window.__pcs.push(this);
        }
      };
    });
    const teacherPage = await teacherContext.newPage();
    teacherPage.on('pageerror', (e) => log.push(`teacher: page error: ${e.message}`));
    await teacherPage.goto('/signin');
    await teacherPage.getByLabel('Username').fill(teacher.username);
    await teacherPage.getByLabel('Password').fill(teacher.password);
    await teacherPage.getByRole('button', { name: 'Sign in' }).click();
    await teacherPage.waitForURL((url) => !url.pathname.startsWith('/signin'));
    await teacherPage.goto(`/room/${sessionId}`);
    await teacherPage.getByRole('button', { name: 'Start camera and microphone' }).click();
    await teacherPage.getByRole('button', { name: 'Mute microphone' }).waitFor();
    const teacherOut = () => teacherPage.evaluate(async () => {
      let video = 0, audio = 0, frames = 0;
      for (const pc of window.__pcs) {
        if (pc.connectionState === 'closed') continue;
        for (const r of (await pc.getStats()).values()) {
          if (r.type !== 'outbound-rtp') continue;
          if (r.kind === 'video') { video += r.bytesSent; frames += r.framesEncoded ?? 0; } else audio += r.bytesSent;
        }
      }
      return { video, audio, frames };
    });
    await waitFor(async () => (await teacherOut()).video > 0, WAIT_MS, 'the teacher sends no video');
    say('the teacher publishes camera and microphone from the room page');
    if (shareScreen) {
      // Chromium's fake capture stands in for the screen (the same generated video); the page
      // sends it at its screen caps (800 kbps, 5 frames/s).
      await teacherPage.getByRole('button', { name: 'Share screen' }).click();
      await teacherPage.getByRole('button', { name: 'Stop sharing' }).waitFor();
      say('the teacher shares the screen too');
    }

    // --- 3. subscribers ----------------------------------------------------------------------------
    const pages = [];
    const subscribers = [];
    const subscriberPage = async () => {
      if (pages.length === 0 || pages.at(-1).count >= perPage) {
        const context = await browser.newContext();
        const page = await context.newPage();
        page.on('pageerror', (e) => log.push(`subscribers: page error: ${e.message}`));
        await page.goto(`${base}/healthz`).catch(() => undefined);
        await page.evaluate(() => {
          window.subs = new Map();
          window.gathered = (pc) => new Promise((ok) => {
            if (pc.iceGatheringState === 'complete') return ok();
            const timer = setTimeout(ok, 3_000);
            pc.addEventListener('icegatheringstatechange', () => {
              if (pc.iceGatheringState === 'complete') { clearTimeout(timer); ok(); }
            });
          });
          // Answers Janus's offer for subscriber `key` (a new PeerConnection or a renegotiation).
          window.answer = async (key, offer) => {
            let pc = window.subs.get(key);
            if (!pc) {
              pc = new RTCPeerConnection();
              window.subs.set(key, pc);
            }
            await pc.setRemoteDescription(offer);
            await pc.setLocalDescription(await pc.createAnswer());
            await window.gathered(pc);
            return pc.localDescription.sdp;
          };
          window.stats = async () => {
            const out = {};
            for (const [key, pc] of window.subs) {
              const s = { state: pc.connectionState, videoBytes: 0, audioBytes: 0, videoPackets: 0, audioPackets: 0, frames: 0, lost: 0,
                width: 0 };
              for (const r of (await pc.getStats()).values()) {
                if (r.type !== 'inbound-rtp') continue;
                if (r.kind === 'video') {
                  s.videoBytes += r.bytesReceived; s.videoPackets += r.packetsReceived; s.frames += r.framesDecoded ?? 0;
                  s.lost += r.packetsLost ?? 0;
                  s.width = r.frameWidth ?? s.width;
                } else {
                  s.audioBytes += r.bytesReceived;
                  s.audioPackets += r.packetsReceived;
                }
              }
              out[key] = s;
            }
            return out;
          };
        });
        pages.push({ page, count: 0 });
      }
      const p = pages.at(-1);
      p.count++;
      return p.page;
    };
    const addSubscriber = async (student) => {
      const key = student.username;
      const page = await subscriberPage();
      const token = await login(student.username, student.password);
      const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/live?session=${sessionId}`,
        { headers: { Authorization: `Bearer ${token}` } });
      const frames = [];
      const waiters = [];
      let nextId = 1;
      ws.onmessage = (m) => {
        const f = JSON.parse(m.data);
        frames.push(f.type);
        if (frames.length > 200) frames.shift();
        for (const w of [...waiters]) if (w.match(f)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(f); }
        // Janus speaks first sometimes (docs/live-protocol.md, "Frames from the media server").
        if (f.type === 'media.offer' && f.target === 'subscriber') {
          page.evaluate(([k, o]) => window.answer(k, o), [key, f.jsep])
            .then((sdp) => command('media.start', { jsep: { type: 'answer', sdp } }))
            .catch((e) => log.push(`${key}: renegotiation: ${e.message}`));
        }
      };
      const wait = (match) => new Promise((ok, fail) => {
        const w = { match, resolve: ok };
        waiters.push(w);
        setTimeout(() => {
          if (waiters.includes(w)) fail(new Error(`${key}: timed out; frames ${JSON.stringify(frames.slice(-20))}`));
        }, WAIT_MS);
      });
      const command = async (type, fields = {}) => {
        const id = nextId++;
        const answered = wait((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
        ws.send(JSON.stringify({ id, type, ...fields }));
        const f = await answered;
        if (f.type === 'error') throw new Error(`${key}: ${type}: ${JSON.stringify(f)}`);
        return f;
      };
      const welcome = wait((f) => f.type === 'welcome');
      await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail(new Error(`${key}: live socket refused`)); });
      const w = await welcome;
      if (w.state !== 'in_room') throw new Error(`${key}: welcome ${w.state}`);
      const ack = await command('media.subscribe');
      if (!ack.jsep) throw new Error(`${key}: media.subscribe offered nothing (is the teacher published?)`);
      const sdp = await page.evaluate(([k, o]) => window.answer(k, o), [key, ack.jsep]);
      await command('media.start', { jsep: { type: 'answer', sdp } });
      subscribers.push({ key, ws, page });
    };
    const allStats = async () => {
      const out = {};
      for (const { page } of pages) Object.assign(out, await page.evaluate(() => window.stats()));
      return out;
    };
    const browserPids = () => descendants(process.pid).filter((pid) => pid !== janus.pid && pid !== server.pid);
    const cpuOf = (pids) => pids.reduce((sum, pid) => sum + (readCpuTicks(pid) ?? 0), 0);
    const machine = () => {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      return { busy: f[0] + f[1] + f[2] + f[5] + f[6] + f[7], all: f.slice(0, 8).reduce((a, b) => a + b, 0) };
    };

    const results = [];
    for (const n of steps) {
      while (subscribers.length < n) await addSubscriber(classStudents[subscribers.length]);
      await waitFor(async () => {
        const s = Object.values(await allStats());
        return s.length === n && s.every((x) => x.state === 'connected' && x.frames > 0);
      }, WAIT_MS, `step ${n}: not every subscriber decodes`);
      await sleep(settleS * 1000);
      const bpids = browserPids();
      const before = { janus: readCpuTicks(janus.pid), homeroom: readCpuTicks(server.pid), browser: cpuOf(bpids),
        machine: machine(), subs: await allStats(), teacher: await teacherOut(), at: process.hrtime.bigint() };
      await sleep(windowS * 1000);
      const after = { janus: readCpuTicks(janus.pid), homeroom: readCpuTicks(server.pid), browser: cpuOf(bpids),
        machine: machine(), subs: await allStats(), teacher: await teacherOut(), at: process.hrtime.bigint() };
      const seconds = Number(after.at - before.at) / 1e9;
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      const r = summarize({ n, seconds, tick, before, after, load });
      results.push(r);
      say(`N=${n}: janus ${(r.janusCores * 100).toFixed(2)}% of a core, homeroom ${(r.homeroomCores * 100).toFixed(2)}%, ` +
        `browser ${(r.browserCores * 100).toFixed(0)}%, machine busy ${(r.machineBusy * 100).toFixed(0)}% of 2 cores; ` +
        `teacher sends video ${r.teacherVideoKbps.toFixed(0)} kbps (${r.teacherFps.toFixed(1)} fps) + audio ${r.teacherAudioKbps.toFixed(0)} kbps; ` +
        `subscribers receive video min ${r.subVideoKbps.min.toFixed(0)} / median ${r.subVideoKbps.median.toFixed(0)} kbps, ` +
        `${r.subFps.min.toFixed(1)}-${r.subFps.max.toFixed(1)} fps decoded, audio median ${r.subAudioKbps.median.toFixed(0)} kbps, ` +
        `lost ${r.lost}; load ${load}`);
    }
    const fit = fitLine(results.map((r) => [r.n, r.janusCores]));
    const summary = {
      when: new Date().toISOString(), steps, windowS, settleS, patch, janusNice, eventLoops, shareScreen, janusIdleCores, results,
      janusFixedCores: fit.intercept, janusCoresPerSubscriber: fit.slope, r2: fit.r2,
      subscribersPerJanusCore: fit.slope > 0 ? (1 - fit.intercept) / fit.slope : null,
    };
    say(`fit: Janus CPU = ${(fit.intercept * 1000).toFixed(1)} ms/s + N x ${(fit.slope * 1000).toFixed(3)} ms/s (r^2 ${fit.r2.toFixed(3)}); ` +
      `one core serves about ${summary.subscribersPerJanusCore?.toFixed(0)} subscribers (1 / slope: ${(1 / fit.slope).toFixed(0)})`);
    for (const s of subscribers) s.ws.close();
    await browser.close();

    // --- 5. the floor: a bare UDP relay of the same packets (bench_media_reference) ----------------
    const last = results.at(-1);
    if (existsSync(reference) && last.n > 0) {
      const pps = last.subVideoPps.median + last.subAudioPps.median;
      const bytes = Math.round(((last.subVideoKbps.median + last.subAudioKbps.median) * 1000) / 8 / pps);
      const points = [];
      summary.reference = { pps, bytes, results: [] };
      for (const n of steps) {
        const out = JSON.parse(execFileSync(reference, ['--subscribers', String(n), '--pps', pps.toFixed(1), '--bytes', String(bytes),
          '--seconds', String(windowS), '--address', '198.18.0.1'], { encoding: 'utf8' }));
        summary.reference.results.push(out);
        points.push([n, out.relay_cores]);
        say(`reference N=${n}: bare UDP relay ${(out.relay_cores * 100).toFixed(3)}% of a core (${pps.toFixed(0)} packets/s ` +
          `of ${bytes} B in, ${out.sent} sent, ${out.failed} failed)`);
      }
      const rf = fitLine(points);
      Object.assign(summary.reference, { fixedCores: rf.intercept, coresPerSubscriber: rf.slope, r2: rf.r2 });
      say(`reference fit: ${(rf.intercept * 1000).toFixed(2)} ms/s + N x ${(rf.slope * 1000).toFixed(3)} ms/s (r^2 ${rf.r2.toFixed(3)})`);
    } else {
      say(`no reference (${reference} missing: cmake --build build/release --target bench_media_reference)`);
    }
    console.log(JSON.stringify(summary));
    if (jsonOut) writeFileSync(jsonOut, JSON.stringify(summary, null, 1));
  } catch (e) {
    console.error(`media fan-out bench: FAILED: ${e.stack ?? e.message}`);
    console.error(log.slice(-60).join('\n'));
    process.exitCode = 1;
  } finally {
    if (browser.isConnected()) await browser.close();
    server.kill('SIGTERM');
    janus.kill('SIGKILL');
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
async function waitFor(check, ms, message) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await sleep(500);
  }
  throw new Error(message);
}
// Every process below `root` (from /proc/*/stat's ppid).
function descendants(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = [];
  const walk = (pid) => {
    for (const [child, p] of parent) if (p === pid) { out.push(child); walk(child); }
  };
  walk(root);
  return out;
}
function readCsv(path) {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
