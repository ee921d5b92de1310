import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../src/pow/sha256';
import { leadingZeroBits, searchProof } from '../src/pow/solve';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('sha256', () => {
  it('matches node crypto for lengths across block boundaries', () => {
    for (const len of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const data = new Uint8Array(len).map((_, i) => (i * 31 + 7) & 0xff);
      expect(hex(sha256(data)), `length ${len}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

describe('proof of work', () => {
  it('counts leading zero bits from the top bit of the first byte', () => {
    expect(leadingZeroBits(new Uint8Array([0x80]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0x00, 0x10]))).toBe(11);
    expect(leadingZeroBits(new Uint8Array([0x00, 0x00]))).toBe(16);
  });

  it('finds the smallest counter whose hash has enough zero bits', () => {
    const challenge = '1.1767225720000.8.abcdef.0123';
    const proof = searchProof(challenge, 8, 0, 1 << 16);
    expect(proof).not.toBeNull();
    const n = Number(proof!.slice(challenge.length + 1));
    const bits = (k: number) => leadingZeroBits(createHash('sha256').update(`${challenge}:${k}`).digest());
    expect(bits(n)).toBeGreaterThanOrEqual(8);
    for (let k = 0; k < n; k++) expect(bits(k)).toBeLessThan(8);
  });
});
