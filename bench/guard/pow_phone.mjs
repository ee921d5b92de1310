#!/usr/bin/env node
// How long the web client's proof of work (docs/security.md, "Under-attack mode") takes on a
// phone-class CPU: the app's own solver (web/src/pow/solve.ts, bundled as the app bundles it) in
// Debian's chromium, with Chrome DevTools' CPU throttling at 1x (this machine), 4x (DevTools' "mid-tier
// mobile", Lighthouse's mobile default) and 6x ("low-end mobile"). Challenges have the server's
// format and random secrets, so each solve needs as many tries as a real one. A figure for
// bench/RESULTS.md, not a test.
//
//   node bench/guard/pow_phone.mjs [--bits 12] [--solves 40] [--rates 1,4,6]
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(repo, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const esbuild = require('esbuild');
const args = Object.fromEntries(process.argv.slice(2).reduce((a, x, i, all) => (x.startsWith('--') ? [...a, [x.slice(2), all[i + 1]]] : a), []));
const bits = Number(args.bits ?? 12);
const solves = Number(args.solves ?? 40);
const rates = String(args.rates ?? '1,4,6').split(',').map(Number);

const bundle = await esbuild.build({
  entryPoints: [join(repo, 'web/src/pow/solve.ts')], bundle: true, write: false, format: 'iife',
  globalName: 'powSolve', target: 'es2020', minify: true,
});
const solverSource = bundle.outputFiles[0].text;

// "<version>.<expires ms>.<bits>.<nonce hex>.<mac hex>", as GET /api/v1/challenge issues them.
const challenges = Array.from({ length: solves }, () =>
  `1.${Date.now() + 60_000}.${bits}.${randomBytes(16).toString('hex')}.${randomBytes(32).toString('hex')}`);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
console.log(`proof of work, ${bits} bits, ${solves} solves per rate, web/src/pow/solve.ts in ${browser.version()}`);
console.log('| CPU throttling | hashes/s | mean solve ms | p50 | p90 | max |');
console.log('|---|---|---|---|---|---|');
for (const rate of rates) {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await page.addScriptTag({ content: solverSource });
  const result = await page.evaluate(([list, difficulty]) => {
    const times = [];
    let tries = 0;
    for (const c of list) {
      const t0 = performance.now();
      const proof = globalThis.powSolve.searchProof(c, difficulty, 0, 1 << 30);
      times.push(performance.now() - t0);
      tries += Number(proof.slice(proof.lastIndexOf(':') + 1)) + 1;
    }
    return { times, tries };
  }, [challenges, bits]);
  const sorted = [...result.times].sort((a, b) => a - b);
  const total = result.times.reduce((a, b) => a + b, 0);
  console.log(`| ${rate}x | ${Math.round(result.tries / (total / 1000))} | ${Math.round(total / solves)} | ` +
    `${Math.round(quantile(sorted, 0.5))} | ${Math.round(quantile(sorted, 0.9))} | ${Math.round(sorted.at(-1))} |`);
  await page.close();
}
await browser.close();
