// Client telemetry (docs/api.md, "Client telemetry"): what only this device can see, reported to
// the server so that support can tell a user why something failed: script errors, live-socket
// disconnects with their close codes, round-trip samples and the page-load timings. Events wait
// in a small queue and leave in batches while someone is signed in; nothing is kept on the device
// and nothing is retried in a loop (a report the server refuses is dropped: telemetry must never
// add load to a server in trouble).
import { user } from './session';

export type ClientEvent =
  | { kind: 'error'; message: string; source?: string }
  | { kind: 'ws_disconnect'; code: number; reason: string; clean: boolean; connected_ms: number }
  | { kind: 'rtt'; ms: number }
  | { kind: 'page_load'; ttfb_ms: number; dom_ms: number; load_ms: number };

// The server's defaults (--telemetry-max-events-per-report, --telemetry-events-per-minute).
const MAX_PER_REPORT = 20;
const FLUSH_INTERVAL_MS = 15_000;
// Events waiting beyond this are dropped, oldest first (a page stuck in an error loop).
const MAX_QUEUED = 60;
// Most characters of a message this client sends (the server cuts at 500 too).
const MAX_TEXT = 500;

type Queued = ClientEvent & { page: string; at_ms: number };
const queue: Queued[] = [];

export function report(event: ClientEvent) {
  if (!user.get()) return;  // signed out: nobody to report for
  const e = { ...event, page: location.pathname.slice(0, 200), at_ms: Date.now() } as Queued;
  if (e.kind === 'error') e.message = e.message.slice(0, MAX_TEXT);
  queue.push(e);
  if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
}

// Sends up to one report's worth; `keepalive` lets it outlive the page (pagehide).
export function flush(keepalive = false) {
  if (!user.get() || queue.length === 0) return;
  const events = queue.splice(0, MAX_PER_REPORT);
  fetch('/api/v1/telemetry', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ events }),
    credentials: 'same-origin',
    keepalive,
  }).catch(() => {
    // offline: put them back for the next flush (the queue's bound still holds)
    queue.unshift(...events);
    if (queue.length > MAX_QUEUED) queue.splice(MAX_QUEUED);
  });
}

function pageLoad() {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  if (!nav) return;
  report({
    kind: 'page_load',
    ttfb_ms: Math.round(nav.responseStart),
    dom_ms: Math.round(nav.domContentLoadedEventEnd),
    load_ms: Math.round(nav.loadEventEnd),
  });
}

export function startTelemetry() {
  window.addEventListener('error', (e) =>
    report({ kind: 'error', message: String(e.message), source: e.filename ? `${e.filename}:${e.lineno}` : undefined }));
  window.addEventListener('unhandledrejection', (e) =>
    report({ kind: 'error', message: `unhandled rejection: ${String(e.reason)}` }));
  // The timings are final once the load event has run; they wait for a sign-in to be reported.
  const measure = () =>
    setTimeout(() => {
      if (user.get()) return pageLoad();
      const off = user.subscribe((me) => {
        if (!me) return;
        off();
        pageLoad();
      });
    }, 0);
  if (document.readyState === 'complete') measure();
  else window.addEventListener('load', measure, { once: true });
  setInterval(() => flush(), FLUSH_INTERVAL_MS);
  window.addEventListener('pagehide', () => flush(true));
}
