#!/usr/bin/env node
// Checks of the fan-out benchmark's pure helpers (stats.mjs): `node bench/media/stats_check.mjs`.
// Not part of `make test` (the benchmark is not a test); small on purpose.
import assert from 'node:assert/strict';
import { fitLine, parseArgs, parseStatTicks, parseSteps, summarize } from './stats.mjs';

assert.deepEqual(parseArgs(['--steps', '0,5', '--json', 'x.json', '--flag']), { steps: '0,5', json: 'x.json', flag: 'true' });
assert.deepEqual(parseSteps('0, 5,10'), [0, 5, 10]);
assert.throws(() => parseSteps('5,5'), /increase/);
assert.throws(() => parseSteps('-1'), /not a count/);
assert.throws(() => parseSteps(''), /no steps/);
// A command name with spaces and a parenthesis: utime 7 + stime 5.
assert.equal(parseStatTicks('42 (janus (x) y) S 1 42 42 0 -1 4194560 100 0 0 0 7 5 0 0 20 0 9 0'), 12);
const line = fitLine([[0, 0.01], [10, 0.04], [20, 0.07]]);
assert.ok(Math.abs(line.slope - 0.003) < 1e-12 && Math.abs(line.intercept - 0.01) < 1e-12 && line.r2 > 0.999);
const sub = (videoBytes, frames) => ({ videoBytes, audioBytes: 0, videoPackets: 0, audioPackets: 0, frames, lost: 0 });
const r = summarize({
  n: 1, seconds: 2, tick: 100, load: '0 0 0',
  before: { janus: 100, homeroom: 0, browser: 0, machine: { busy: 0, all: 400 }, teacher: { video: 0, audio: 0, frames: 0 },
    subs: { a: sub(0, 0) } },
  after: { janus: 120, homeroom: 0, browser: 0, machine: { busy: 200, all: 800 }, teacher: { video: 125_000, audio: 0, frames: 30 },
    subs: { a: sub(125_000, 30), gone: sub(1, 1) } },
});
assert.equal(r.janusCores, 0.1); // 20 ticks of 10 ms in 2 s
assert.equal(r.machineBusy, 0.5);
assert.equal(r.teacherVideoKbps, 500);
assert.deepEqual(r.subVideoKbps, { min: 500, median: 500, max: 500 }); // 'gone' had no reading before
assert.equal(r.subFps.median, 15);
console.log('bench/media/stats_check.mjs: ok');
