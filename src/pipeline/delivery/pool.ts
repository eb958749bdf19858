/** Limits for {@link runPool}. */
export interface PoolLimits<T> {
  /** Tasks in flight at once. */
  concurrency: number;
  /** Tasks of one key in flight at once, so one slow key cannot take every slot. */
  perKey: number;
  key(item: T): string;
}

/**
 * Runs `task` for every item, at most `concurrency` at once and `perKey` of one key at once, in the items'
 * order otherwise. Resolves when all have settled; a task that throws rejects the pool after the others finish.
 */
export async function runPool<T>(
  items: readonly T[],
  limits: PoolLimits<T>,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const waiting = [...items];
  const active = new Map<string, number>();
  let running = 0;
  let failure: { error: unknown } | undefined;
  await new Promise<void>((resolve) => {
    const pump = () => {
      for (let i = 0; i < waiting.length && running < limits.concurrency; ) {
        const item = waiting[i] as T;
        const key = limits.key(item);
        const busy = active.get(key) ?? 0;
        if (busy >= limits.perKey) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        active.set(key, busy + 1);
        running++;
        task(item)
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => {
            running--;
            active.set(key, (active.get(key) ?? 1) - 1);
            pump();
          });
      }
      if (running === 0 && waiting.length === 0) resolve();
    };
    pump();
  });
  if (failure) throw failure.error;
}
