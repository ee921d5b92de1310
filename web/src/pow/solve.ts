// The proof-of-work search of docs/api.md, "Proof of work": the smallest decimal n such that
// SHA-256("<challenge>:<n>") starts with `difficulty` zero bits. Pure and synchronous; the Web
// Worker (pow.worker.ts) runs it off the UI thread in slices.
import { sha256 } from './sha256';

export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

// Tries n in [from, from + count); returns the proof "<challenge>:<n>" or null.
export function searchProof(challenge: string, difficulty: number, from: number, count: number): string | null {
  for (let n = from; n < from + count; n++) {
    const candidate = `${challenge}:${n}`;
    if (leadingZeroBits(sha256(ascii(candidate))) >= difficulty) return candidate;
  }
  return null;
}
