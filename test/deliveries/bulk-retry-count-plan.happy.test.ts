import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { bulkRetryCountQuery } from "../../src/pipeline/delivery/bulk-retry";
import { rows } from "../support/worker";

describe("the bulk retry's count", () => {
  it("reads the retryable statuses' index, never every delivery its destinations ever had", async () => {
    const query = new SQLiteAsyncDialect().sqlToQuery(
      bulkRetryCountQuery({}, ["dst_a", "dst_b"], ["failed", "paused", "retrying"], Date.now()),
    );
    const plan = (await rows<{ detail: string }>(`EXPLAIN QUERY PLAN ${query.sql}`, ...query.params))
      .map((s) => s.detail)
      .join("\n");
    expect(plan).toMatch(/SEARCH deliveries USING (COVERING )?INDEX deliveries_status\w* \(status=\?/);
    expect(plan).not.toMatch(/deliveries_destination_created_idx|SCAN deliveries/);
  });
});
