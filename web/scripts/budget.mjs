// The low-bandwidth budget (issue 5, section 1): what sign-in plus the student home load, as
// compressed JS and CSS, must stay at or under BUDGET_BYTES. Those pages are in the entry chunk
// and what index.html links (teacher, room and admin pages load on demand), so the sum is every
// script and stylesheet index.html references plus their static imports, each counted as its
// brotli file (gzip where brotli is missing). Prints the figure; exits 1 over budget.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BUDGET_BYTES = 150 * 1024;
const root = process.argv[2] ?? 'dist';
const html = readFileSync(join(root, 'index.html'), 'utf8');
const seen = new Set();
const queue = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let brotli = 0;
let gzip = 0;
let raw = 0;
while (queue.length) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  const path = join(root, file);
  const size = (p) => (existsSync(p) ? statSync(p).size : statSync(path).size);
  raw += statSync(path).size;
  brotli += size(`${path}.br`);
  gzip += size(`${path}.gz`);
  if (file.endsWith('.js')) {
    // Static imports of the entry ("import{...}from"./x.js"") load with it; dynamic ones do not.
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[^()'"]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      queue.push(join('assets', m[1]));
    }
  }
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`budget: sign-in + student home load ${seen.size} files: ${kb(raw)} KiB raw, ` +
  `${kb(gzip)} KiB gzip, ${kb(brotli)} KiB brotli (budget ${kb(BUDGET_BYTES)} KiB compressed)`);
if (Math.max(gzip, brotli) > BUDGET_BYTES) {
  console.error('budget: over the low-bandwidth budget');
  process.exit(1);
}
