// Solves a proof-of-work challenge in a Web Worker; falls back to the page's thread in slices
// where workers are unavailable. Resolves with the X-Homeroom-Proof value, or rejects when the
// challenge expires first.
import { searchProof } from './solve';

export interface Challenge {
  challenge: string;
  difficulty: number;
  expires_at: string;
  algorithm: string;
  header: string;
  under_attack?: boolean;
  rejected?: string;
}

// Tries per slice between progress messages (docs/api.md: "yield every few thousand tries").
export const POW_SLICE_TRIES = 4096;

export class ChallengeExpiredError extends Error {
  constructor() {
    super('challenge expired');
  }
}

export function solveChallenge(c: Challenge): Promise<string> {
  if (c.algorithm !== 'sha256-leading-zero-bits') {
    return Promise.reject(new Error(`unknown proof algorithm ${c.algorithm}`));
  }
  const deadline = Date.parse(c.expires_at) || Date.now() + 60_000;
  if (typeof Worker === 'undefined') return solveInline(c, deadline);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./pow.worker.ts', import.meta.url), { type: 'module' });
    const timer = setTimeout(() => {
      worker.terminate();
      reject(new ChallengeExpiredError());
    }, Math.max(0, deadline - Date.now()));
    worker.onmessage = (event: MessageEvent<{ proof?: string }>) => {
      if (event.data.proof) {
        clearTimeout(timer);
        worker.terminate();
        resolve(event.data.proof);
      }
    };
    worker.onerror = () => {
      clearTimeout(timer);
      worker.terminate();
      solveInline(c, deadline).then(resolve, reject);
    };
    worker.postMessage({ challenge: c.challenge, difficulty: c.difficulty, slice: POW_SLICE_TRIES });
  });
}

function solveInline(c: Challenge, deadline: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let from = 0;
    const step = () => {
      if (Date.now() > deadline) return reject(new ChallengeExpiredError());
      const proof = searchProof(c.challenge, c.difficulty, from, POW_SLICE_TRIES);
      if (proof) return resolve(proof);
      from += POW_SLICE_TRIES;
      setTimeout(step, 0);
    };
    step();
  });
}
