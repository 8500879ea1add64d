// The ratio of two tools timed in the same rounds, with an interval that says whether a difference
// is there at all. The tools of one scenario run alternated round by round (run.mjs), so round i
// of tool A and round i of tool B saw the same state of the machine: their ratio is what A costs
// against B in that round, and the drift of a shared machine (the same command read 608 to 787 ms
// within two hours) cancels out of it.
//
// The interval is the sign test's, distribution-free: for the median of n paired ratios, the k-th
// smallest and k-th largest ratios bound it with a confidence of 1 - 2 P(X < k), X ~ Bin(n, 1/2),
// with k as large as keeps each tail at most 5 % (n = 9: the 2nd and 8th of 9, 96 %).

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomialAtMost(n, k) {
  let term = 1; // C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

/**
 * The paired ratio of `a` to `b` (each a list of seconds, one per round, in round order): the
 * median of the per-round ratios and, from 5 rounds on, an interval for it with its confidence
 * (undefined below 5 rounds: even the extremes would leave more than 5 % on each side).
 * @param {number[]} a
 * @param {number[]} b
 * @returns {{ median: number, rounds: number, low?: number, high?: number, confidence?: number }}
 */
export function pairedRatio(a, b) {
  if (a.length !== b.length || a.length === 0) {
    throw new Error(`pairedRatio: ${a.length} and ${b.length} rounds: they must be as many, and some`);
  }
  const ratios = a.map((x, i) => x / b[i]).sort((x, y) => x - y);
  const n = ratios.length;
  const mid = Math.floor(n / 2);
  const median = n % 2 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2;
  // the largest k with P(X <= k - 1) <= 5 %
  let k = 0;
  while (k + 1 <= mid && binomialAtMost(n, k) <= 0.05) k++;
  if (k === 0) return { median, rounds: n };
  return {
    median,
    rounds: n,
    low: ratios[k - 1],
    high: ratios[n - k],
    confidence: 1 - 2 * binomialAtMost(n, k - 1),
  };
}

/**
 * Says where `ratio` (a {@link pairedRatio} of a tool to its floor) stands: above its floor when
 * the whole interval is over 1, below it when the whole interval is under 1, else not told apart.
 * The bounds are judged as printed (two decimals), so that an interval shown as `1.00-1.20` is
 * never called above the floor.
 * @param {{ median: number, low?: number, high?: number, confidence?: number }} ratio
 */
export function describeAgainstFloor(ratio) {
  const median = ratio.median.toFixed(2);
  if (ratio.low === undefined || ratio.high === undefined || ratio.confidence === undefined) {
    return `${median} (too few rounds for an interval)`;
  }
  const low = ratio.low.toFixed(2);
  const high = ratio.high.toFixed(2);
  const interval = `${Math.floor(ratio.confidence * 100)} % interval ${low}-${high}`;
  const where =
    Number(low) > 1
      ? 'above the floor'
      : Number(high) < 1
        ? 'below the floor'
        : 'not told apart from the floor';
  return `${median} (${interval}: ${where})`;
}
