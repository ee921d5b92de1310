// Small pure helpers of the media fan-out benchmark (fanout.mjs): argument parsing, /proc reading,
// the per-step summary and the least-squares line. Tested by bench/media/stats_check.mjs.
import { readFileSync } from 'node:fs';

// `--name value` pairs into an object; a `--flag` followed by another flag (or nothing) is 'true'.
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[argv[i].slice(2)] = 'true';
    else out[argv[i].slice(2)] = argv[++i];
  }
  return out;
}

// "0,5,10" into [0, 5, 10]: non-negative integers, strictly increasing; throws otherwise.
export function parseSteps(text) {
  const steps = String(text).split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (steps.length === 0) throw new Error('--steps: no steps');
  steps.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 0) throw new Error(`--steps: ${n} is not a count`);
    if (i > 0 && n <= steps[i - 1]) throw new Error('--steps: counts must increase');
  });
  return steps;
}

// utime + stime of process `pid` in clock ticks (fields 14 and 15 of /proc/PID/stat, counted after
// the command name, which may hold spaces and parentheses); null when the process is gone.
export function parseStatTicks(stat) {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
export function readCpuTicks(pid) {
  try {
    return parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

// Least squares y = intercept + slope * x over [[x, y], ...], with r^2.
export function fitLine(points) {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (y - my);
    syy += (y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  const r2 = sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, r2 };
}

function spread(values) {
  if (values.length === 0) return { min: 0, median: 0, max: 0 };
  const v = [...values].sort((a, b) => a - b);
  return { min: v[0], median: v[Math.floor(v.length / 2)], max: v.at(-1) };
}

// One step's figures from the readings before and after its window. CPU figures are in cores
// (CPU-seconds per second); bitrates in kbps (1000 bits per second).
export function summarize({ n, seconds, tick, before, after, load }) {
  const cores = (a, b) => (b - a) / tick / seconds;
  const kbps = (a, b) => ((b - a) * 8) / 1000 / seconds;
  const subs = Object.keys(after.subs).filter((k) => before.subs[k]);
  return {
    n,
    seconds,
    load,
    janusCores: cores(before.janus, after.janus),
    homeroomCores: cores(before.homeroom, after.homeroom),
    browserCores: cores(before.browser, after.browser),
    machineBusy: (after.machine.busy - before.machine.busy) / Math.max(1, after.machine.all - before.machine.all),
    teacherVideoKbps: kbps(before.teacher.video, after.teacher.video),
    teacherAudioKbps: kbps(before.teacher.audio, after.teacher.audio),
    teacherFps: (after.teacher.frames - before.teacher.frames) / seconds,
    subVideoKbps: spread(subs.map((k) => kbps(before.subs[k].videoBytes, after.subs[k].videoBytes))),
    subAudioKbps: spread(subs.map((k) => kbps(before.subs[k].audioBytes, after.subs[k].audioBytes))),
    subVideoPps: spread(subs.map((k) => (after.subs[k].videoPackets - before.subs[k].videoPackets) / seconds)),
    subAudioPps: spread(subs.map((k) => (after.subs[k].audioPackets - before.subs[k].audioPackets) / seconds)),
    subFps: spread(subs.map((k) => (after.subs[k].frames - before.subs[k].frames) / seconds)),
    lost: subs.reduce((s, k) => s + (after.subs[k].lost - before.subs[k].lost), 0),
  };
}
