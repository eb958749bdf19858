import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runPool } from "./pool";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("runPool", () => {
  it("runs every item once, never more than the limits at once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.nat(3)), { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (items, concurrency, perKey) => {
          let running = 0;
          const perKeyRunning = new Map<string, number>();
          const done: number[] = [];
          await runPool(
            items.map((item, index) => ({ key: item[0], ticks: item[1], index })),
            { concurrency, perKey, key: (i) => i.key },
            async (item) => {
              running++;
              perKeyRunning.set(item.key, (perKeyRunning.get(item.key) ?? 0) + 1);
              expect(running).toBeLessThanOrEqual(concurrency);
              expect(perKeyRunning.get(item.key)).toBeLessThanOrEqual(perKey);
              for (let t = 0; t < item.ticks; t++) await tick();
              running--;
              perKeyRunning.set(item.key, (perKeyRunning.get(item.key) ?? 0) - 1);
              done.push(item.index);
            },
          );
          expect(done.toSorted((x, y) => x - y)).toEqual(items.map((_, i) => i));
        },
      ),
    );
  });

  it("lets other keys through while one key's tasks hang", async () => {
    let release: () => void = () => undefined;
    const hang = new Promise<void>((r) => {
      release = r;
    });
    const finished: string[] = [];
    const pool = runPool(
      ["slow", "slow", "slow", "fast", "fast", "fast", "fast"].map((key, i) => ({ key, i })),
      { concurrency: 3, perKey: 1, key: (x) => x.key },
      async (x) => {
        if (x.key === "slow") await hang;
        finished.push(`${x.key}${x.i}`);
      },
    );
    for (let t = 0; t < 10; t++) await tick();
    expect(finished).toEqual(["fast3", "fast4", "fast5", "fast6"]);
    release();
    await pool;
    expect(finished).toHaveLength(7);
  });

  it("finishes the others, then rejects when a task throws", async () => {
    const finished: number[] = [];
    await expect(
      runPool([1, 2, 3], { concurrency: 1, perKey: 1, key: () => "k" }, async (n) => {
        if (n === 2) throw new Error("boom");
        finished.push(n);
      }),
    ).rejects.toThrow("boom");
    expect(finished).toEqual([1, 3]);
  });
});
