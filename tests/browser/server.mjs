// Starts the real `homeroom demo` (a seeded demo district) on 127.0.0.1:0 in a child process and
// learns its ports from the "serving" log line; reads the demo's logins and roster to find users.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export async function startServer({ binary, webRoot, extraArgs = [], log }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'homeroom-browser-'));
  const args = [
    'demo', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--data-dir', dataDir,
    '--students', '80', '--web-root', webRoot, '--io-threads', '2', ...extraArgs,
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Never outlive the runner, whatever way it ends (a failed launch, an exception, a timeout).
  const orphaned = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', orphaned);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(1));
  const lines = createInterface({ input: child.stdout });
  const errLines = createInterface({ input: child.stderr });
  // Both streams read to the end (a sanitizer's report comes last), and the exit code.
  const drained = Promise.all([new Promise((r) => lines.once('close', r)), new Promise((r) => errLines.once('close', r))]);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('homeroom demo did not start within 120 s')), 120_000);
    exited.then((code) => reject(new Error(`homeroom demo exited with ${code}`)));
    const onLine = (line) => {
      log(line);
      if (!line.startsWith('{')) return;
      try {
        const e = JSON.parse(line);
        if (e.event === 'serving') {
          clearTimeout(timer);
          resolve({ port: e.port, metricsPort: e.metrics_port });
        }
      } catch {
        // not a log line
      }
    };
    // The log goes to one stream and the logins table to the other; read both.
    lines.on('line', onLine);
    errLines.on('line', onLine);
  });
  const logins = JSON.parse(readFileSync(join(dataDir, 'demo-logins.json'), 'utf8'));
  return {
    ...ports,
    dataDir,
    base: `http://127.0.0.1:${ports.port}`,
    login: (role) => logins.find((l) => l.role === role),
    users: readCsv(join(dataDir, 'demo-roster', 'users.csv')),
    // Stops the server (SIGTERM: a graceful shutdown) and resolves with its exit code once both of
    // its output streams are read to the end (a sanitizer's report comes last).
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      await drained;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    // The value of a Prometheus series (name with labels, as printed), or 0.
    async metric(series) {
      const text = await (await fetch(`http://127.0.0.1:${ports.metricsPort}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(series + ' '));
      return line ? Number(line.slice(series.length + 1)) : 0;
    },
  };
}

// A small RFC 4180 reader (the generator quotes cells with commas).
export function readCsv(path) {
  const text = readFileSync(path, 'utf8');
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); cell = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

// Signs in over the API (for setup only; the scenarios sign in through the page).
export async function apiLogin(base, username, password) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const get = async (path) => {
    const r = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${body.token}` } });
    if (!r.ok) throw new Error(`${path}: ${r.status}`);
    return r.json();
  };
  return { ...body, get };
}
