// @ts-check
// Plain JavaScript with JSDoc types: the Worker and the CLI (which runs on plain Node) share it.
const MAX_LENGTH = 64;

/** @param {string} s */
const fold = (s) => s.toLowerCase().replace(/[-_\s]/g, "");

/**
 * @param {string} a
 * @param {string} b
 */
function distance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidate `name` was most likely a typo of: closest by edit distance, ignoring case, `_`, `-` and
 * spaces, and only when close enough (about one edit per three characters).
 * @param {string} name
 * @param {readonly string[]} candidates
 * @returns {string | undefined}
 */
export function closestName(name, candidates) {
  if (name.length > MAX_LENGTH) return undefined;
  const folded = fold(name);
  const limit = Math.max(1, Math.floor(folded.length / 3));
  /** @type {string | undefined} */
  let best;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = distance(folded, fold(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
