const MS_PER_HOUR = 3_600_000;

/** The epoch hour (hours since 1970 UTC) holding an instant: the rollups' time key. */
export const hourOf = (ms: number) => Math.floor(ms / MS_PER_HOUR);

/** The instant an epoch hour starts. */
export const hourStart = (hour: number) => hour * MS_PER_HOUR;
