/**
 * Did you mean: the known word nearest to a mistyped one, by optimal string alignment distance (an insertion,
 * deletion, substitution or swap of two adjacent characters is one edit; no substring is edited twice). Pure.
 */

/** The optimal string alignment distance between `a` and `b` (case-sensitive, by UTF-16 code unit). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a.charAt(i - 1) === b.charAt(j - 2) && a.charAt(i - 2) === b.charAt(j - 1)) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return at(rows - 1, cols - 1);
}

/**
 * The one candidate within a small edit distance of `word`, or null when none is or two are equally near.
 * `word` is lower-cased (candidates are expected in lower case); words shorter than 2 or longer than 30 characters
 * get no suggestion; up to 4 characters allow 1 edit, longer words 2.
 */
export function closestWord(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  if (lower.length < 2 || lower.length > 30) return null;
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = limit + 1;
  let tie = false;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - lower.length) > limit) continue;
    const distance = editDistance(lower, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance && candidate !== best) {
      tie = true;
    }
  }
  return best !== null && !tie && bestDistance <= limit ? best : null;
}
