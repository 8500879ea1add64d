import { describe, expect, it } from 'vitest';
import { describeAgainstFloor, pairedRatio } from './paired.mjs';

describe('pairedRatio', () => {
  it('pairs the rounds: a shared drift cancels out', () => {
    // every round slower than the one before, tool A always 10 % over tool B
    const b = [1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6];
    const a = b.map((x) => x * 1.1);
    const r = pairedRatio(a, b);
    expect(r.median).toBeCloseTo(1.1, 10);
    expect(r.low).toBeCloseTo(1.1, 10);
    expect(r.high).toBeCloseTo(1.1, 10);
  });

  it('bounds the median of 9 rounds by the 2nd and 8th ratios, at 96 %', () => {
    const b = Array(9).fill(1);
    const a = [0.9, 0.95, 0.97, 1.0, 1.02, 1.04, 1.06, 1.1, 1.3];
    const r = pairedRatio(a, b);
    expect(r.median).toBe(1.02);
    expect(r.low).toBe(0.95);
    expect(r.high).toBe(1.1);
    expect(r.confidence).toBeCloseTo(1 - 2 * (10 / 512), 10);
  });

  it("bounds the median of 15 rounds (the bench's default) by the 4th and 12th ratios, at 96 %", () => {
    const b = Array(15).fill(1);
    const a = [1.2, 0.9, 1.0, 1.05, 0.95, 1.1, 1.02, 0.97, 1.3, 1.01, 1.07, 0.99, 1.04, 1.15, 0.8];
    const r = pairedRatio(a, b);
    expect(r.median).toBe(1.02);
    expect(r.low).toBe(0.97);
    expect(r.high).toBe(1.1);
    // P(X <= 3) for X ~ Bin(15, 1/2): (1 + 15 + 105 + 455) / 2^15
    expect(r.confidence).toBeCloseTo(1 - 2 * (576 / 32768), 10);
  });

  it('gives no interval under 5 rounds, the extremes of 5 at 93.75 %', () => {
    expect(pairedRatio([1, 2, 3], [1, 1, 1]).low).toBeUndefined();
    expect(pairedRatio([1, 2, 3, 4], [1, 1, 1, 1]).confidence).toBeUndefined();
    const five = pairedRatio([1, 2, 3, 4, 5], [1, 1, 1, 1, 1]);
    expect([five.low, five.high, five.median]).toEqual([1, 5, 3]);
    expect(five.confidence).toBeCloseTo(1 - 2 / 32, 10);
  });

  it('refuses lists of different lengths', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/as many/);
  });
});

describe('describeAgainstFloor', () => {
  const b = Array(9).fill(1);
  it('says above, below, or not told apart', () => {
    expect(describeAgainstFloor(pairedRatio([1.02, 1.03, 1.04, 1.05, 1.05, 1.06, 1.07, 1.08, 1.09], b))).toBe(
      '1.05 (96 % interval 1.03-1.08: above the floor)',
    );
    expect(
      describeAgainstFloor(pairedRatio([0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 1.2], b)),
    ).toMatch(/below the floor\)$/);
    expect(describeAgainstFloor(pairedRatio([0.9, 0.95, 0.97, 1, 1.02, 1.04, 1.06, 1.1, 1.3], b))).toMatch(
      /not told apart from the floor\)$/,
    );
    expect(describeAgainstFloor(pairedRatio([1, 1.1, 1.2], [1, 1, 1]))).toBe(
      '1.10 (too few rounds for an interval)',
    );
  });

  it('judges the bounds as printed: a lower bound of 1.004 shows as 1.00, not above the floor', () => {
    const clear = pairedRatio([1.004, 1.05, 1.08, 1.1, 1.12, 1.14, 1.16, 1.2, 1.3], b);
    expect(describeAgainstFloor(clear)).toBe('1.12 (96 % interval 1.05-1.20: above the floor)');
    const edge = pairedRatio([1.001, 1.004, 1.08, 1.1, 1.12, 1.14, 1.16, 1.2, 1.3], b);
    expect(describeAgainstFloor(edge)).toBe('1.12 (96 % interval 1.00-1.20: not told apart from the floor)');
  });
});
