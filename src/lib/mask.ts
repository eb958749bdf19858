/**
 * Hides the middle of a phone number for chat messages: the first 3 and last 4 characters stay when the number
 * has 11 or more, fewer for shorter ones (numbers of 3 characters or less are hidden whole). `null` stays `null`.
 *
 * @example maskPhone("13800138000") // "138****8000"
 */
export function maskPhone(value: string | null): string | null {
  if (value === null) return null;
  const chars = [...value.trim()];
  const [head, tail] = visibleEnds(chars.length);
  return chars.map((c, i) => (i < head || i >= chars.length - tail ? c : "*")).join("");
}

function visibleEnds(length: number): [head: number, tail: number] {
  if (length >= 11) return [3, 4];
  if (length >= 7) return [2, 2];
  if (length >= 4) return [0, 1];
  return [0, 0];
}
