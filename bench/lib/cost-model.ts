/**
 * Cloudflare's published prices for what callrelay uses (Workers Paid, USD), as read on 2026-12-06 from:
 * - Workers: https://developers.cloudflare.com/workers/platform/pricing/
 * - D1: https://developers.cloudflare.com/d1/platform/pricing/
 * - R2: https://developers.cloudflare.com/r2/pricing/
 * - Queues: https://developers.cloudflare.com/queues/platform/pricing/
 * - Durable Objects: https://developers.cloudflare.com/durable-objects/platform/pricing/
 */
export const prices = {
  subscription: 5,
  workerRequests: { included: 10e6, perMillion: 0.3 },
  workerCpuMs: { included: 30e6, perMillion: 0.02 },
  d1RowsRead: { included: 25e9, perMillion: 0.001 },
  d1RowsWritten: { included: 50e6, perMillion: 1 },
  d1StorageGb: { included: 5, perUnit: 0.75 },
  r2ClassA: { included: 1e6, perMillion: 4.5 },
  r2ClassB: { included: 10e6, perMillion: 0.36 },
  r2StorageGb: { included: 10, perUnit: 0.015 },
  queueOps: { included: 1e6, perMillion: 0.4 },
  durableObjectRequests: { included: 1e6, perMillion: 0.15 },
} as const;

/** Usage of one unit of work (a stored call, a delivery, a cron run), as `npm run bench:cost` measures it. */
export interface Usage {
  requests: number;
  cpuMs: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  r2ClassA: number;
  r2ClassB: number;
  /** Queue operations: a message written, read (each delivery attempt) and deleted. */
  queueOps: number;
  durableObjectRequests: number;
}

/** What a day of operation is made of. */
export interface Day {
  calls: number;
  deliveriesPerCall: number;
  /** Cron runs a day (one a minute). */
  cronRuns: number;
}

/** The measured usage per unit, and the storage a kept call takes. */
export interface Measured {
  perCall: Usage;
  perDelivery: Usage;
  perCronRun: Usage;
  /** Retention: deleting an expired call (with its deliveries), once the relay is past its retention window. */
  perExpiredCall: Usage;
  d1BytesPerCall: number;
  r2BytesPerCall: number;
}

/** How long data is kept, and how much D1 holds. */
export interface Keeping {
  callRetentionDays: number;
  rawRetentionDays: number;
  /** Calls one D1 can keep (the database cap, less headroom), whatever the retention says. */
  d1MaxCalls: number;
}

export type LineItem = { name: string; quantity: number; unit: string; usd: number };

const DAYS_PER_MONTH = 30;

function overage(quantity: number, price: { included: number; perMillion: number }): number {
  return (Math.max(0, quantity - price.included) / 1e6) * price.perMillion;
}

function storageOverage(gb: number, price: { included: number; perUnit: number }): number {
  return Math.max(0, gb - price.included) * price.perUnit;
}

/** The month's usage and bill (30 days) for a day's work, each line after what the plan includes. */
export function monthlyCost(day: Day, m: Measured, keep: Keeping): { lines: LineItem[]; total: number } {
  const perDay = (pick: (u: Usage) => number) =>
    pick(m.perCall) * day.calls +
    pick(m.perDelivery) * day.calls * day.deliveriesPerCall +
    pick(m.perCronRun) * day.cronRuns +
    pick(m.perExpiredCall) * day.calls;
  const month = (pick: (u: Usage) => number) => perDay(pick) * DAYS_PER_MONTH;
  const keptCalls = Math.min(day.calls * keep.callRetentionDays, keep.d1MaxCalls);
  const d1Gb = (keptCalls * m.d1BytesPerCall) / 1e9;
  const r2Gb = (day.calls * keep.rawRetentionDays * m.r2BytesPerCall) / 1e9;
  const q = {
    requests: month((u) => u.requests),
    cpuMs: month((u) => u.cpuMs),
    read: month((u) => u.d1RowsRead),
    written: month((u) => u.d1RowsWritten),
    classA: month((u) => u.r2ClassA),
    classB: month((u) => u.r2ClassB),
    queueOps: month((u) => u.queueOps),
    doRequests: month((u) => u.durableObjectRequests),
  };
  const lines: LineItem[] = [
    { name: "Workers Paid subscription", quantity: 1, unit: "month", usd: prices.subscription },
    {
      name: "Worker requests",
      quantity: q.requests,
      unit: "requests",
      usd: overage(q.requests, prices.workerRequests),
    },
    { name: "Worker CPU time", quantity: q.cpuMs, unit: "CPU ms", usd: overage(q.cpuMs, prices.workerCpuMs) },
    { name: "D1 rows read", quantity: q.read, unit: "rows", usd: overage(q.read, prices.d1RowsRead) },
    { name: "D1 rows written", quantity: q.written, unit: "rows", usd: overage(q.written, prices.d1RowsWritten) },
    { name: "D1 storage", quantity: d1Gb, unit: "GB", usd: storageOverage(d1Gb, prices.d1StorageGb) },
    { name: "R2 class A", quantity: q.classA, unit: "operations", usd: overage(q.classA, prices.r2ClassA) },
    { name: "R2 class B", quantity: q.classB, unit: "operations", usd: overage(q.classB, prices.r2ClassB) },
    { name: "R2 storage", quantity: r2Gb, unit: "GB", usd: storageOverage(r2Gb, prices.r2StorageGb) },
    { name: "Queue operations", quantity: q.queueOps, unit: "operations", usd: overage(q.queueOps, prices.queueOps) },
    {
      name: "Durable Object requests",
      quantity: q.doRequests,
      unit: "requests",
      usd: overage(q.doRequests, prices.durableObjectRequests),
    },
  ];
  return { lines, total: lines.reduce((sum, line) => sum + line.usd, 0) };
}
