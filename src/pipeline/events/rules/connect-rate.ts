/** Calls and connected calls in one hour. */
export interface HourCount {
  calls: number;
  connected: number;
}

/** Fewest calls in an hour for its connect rate to mean something. */
export const MIN_HOUR_CALLS = 50;

/** A drop worth an event: this hour's rate, the 7-day average of the same hour. */
export interface RateDrop {
  rate: number;
  averageRate: number;
}

/**
 * Whether `hour` (the hour just ended) connected below `dropRatio` of the same hour's average over `previous` (the
 * same hour on up to 7 earlier days; the average weighs each call once). Needs at least {@link MIN_HOUR_CALLS} calls
 * in the hour and a previous average above 0.
 */
export function connectRateDrop(hour: HourCount, previous: readonly HourCount[], dropRatio: number): RateDrop | null {
  if (hour.calls < MIN_HOUR_CALLS) return null;
  const calls = previous.reduce((sum, h) => sum + h.calls, 0);
  const connected = previous.reduce((sum, h) => sum + h.connected, 0);
  if (calls === 0 || connected === 0) return null;
  const rate = hour.connected / hour.calls;
  const averageRate = connected / calls;
  return rate < dropRatio * averageRate ? { rate, averageRate } : null;
}
