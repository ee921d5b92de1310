#!/usr/bin/env node
// How the sign-in page and the student home load on Chrome DevTools' "Slow 3G" profile (400 ms
// round trip, 400 kbit/s each way), cold cache: a figure for bench/RESULTS.md, not a test.
//
//   node bench/web/slow3g.mjs --homeroom build/release/bin/homeroom [--runs 3]
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/browser/server.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(repo, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const args = Object.fromEntries(process.argv.slice(2).reduce((a, x, i, all) => (x.startsWith('--') ? [...a, [x.slice(2), all[i + 1]]] : a), []));
const runs = Number(args.runs ?? 3);
const server = await startServer({
  binary: resolve(args.homeroom ?? join(repo, 'build/release/bin/homeroom')),
  webRoot: join(repo, 'web/dist'), log: () => {},
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const student = server.login('student');
const results = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ baseURL: server.base });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 400, downloadThroughput: (400 * 1024) / 8, uploadThroughput: (400 * 1024) / 8,
  });
  let bytes = 0;
  page.on('response', async (r) => {
    const len = Number((await r.allHeaders())['content-length'] ?? 0);
    bytes += len;
  });
  const t0 = Date.now();
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const signin = Date.now() - t0;
  await page.getByLabel('Username').fill(student.username);
  await page.getByLabel('Password').fill(student.password);
  const t1 = Date.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'What’s next' }).waitFor();
  await page.locator('ul.sessions, text=No live sessions.').first().waitFor().catch(() => {});
  const home = Date.now() - t1;
  results.push({ signin, home, bytes });
  await context.close();
}
await browser.close();
await server.stop();
for (const r of results) console.log(`slow 3G: sign-in page usable ${r.signin} ms; sign-in to student home ${r.home} ms; ${(r.bytes / 1024).toFixed(1)} KiB transferred`);
