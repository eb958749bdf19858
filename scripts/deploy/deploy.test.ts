// `npm run deploy` end to end, offline: the real script and the real wrangler against a stub of the Cloudflare
// API (CLOUDFLARE_API_BASE_URL) that fails the test on any call it does not know. The --history deploys are in
// deploy-history.test.ts, so the two files' deploys run side by side.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudflareStub, startCloudflareStub } from "./cloudflare-stub.ts";
import { creations, DEPLOY_TIMEOUT_MS, DLQS, deploy, QUEUES } from "./deploy-harness.ts";
import { BOOKMARKS_FILE } from "./run.mjs";

const MIGRATIONS = readdirSync("migrations").filter((f) => f.endsWith(".sql"));

describe("npm run deploy, first and second time", () => {
  let stub: CloudflareStub;
  let first: Awaited<ReturnType<typeof deploy>>;
  beforeAll(async () => {
    stub = await startCloudflareStub();
    first = await deploy(stub);
  }, DEPLOY_TIMEOUT_MS);
  afterAll(() => stub.close());

  it("creates each resource once, sets both secrets, applies the migrations and uploads the Worker with every binding", () => {
    expect(first.code, first.stderr).toBe(0);
    expect(stub.unknown).toEqual([]);
    expect(creations(stub)).toEqual(
      [
        "create bucket callrelay-archive",
        "create d1 callrelay (apac)",
        ...[...DLQS, ...QUEUES].map((q) => `create queue ${q}`),
      ].sort(),
    );
    expect(stub.changes.filter((c) => c.startsWith("set secret")).sort()).toEqual([
      "set secret ADMIN_TOKEN",
      "set secret PUSH_TOKEN",
    ]);

    const db = stub.databases.get("callrelay");
    const applied = db?.sql
      .prepare("SELECT name FROM d1_migrations ORDER BY id")
      .all()
      .map((r) => r.name);
    expect(applied).toEqual(MIGRATIONS);
    expect(db?.sql.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'calls'").get()).toEqual({ n: 1 });

    const worker = stub.scripts.get("callrelay");
    const byName = Object.fromEntries(worker?.bindings.map((b) => [b.name, b]) ?? []);
    expect(byName.DB).toMatchObject({ type: "d1", id: db?.uuid });
    expect(byName.ARCHIVE).toMatchObject({ type: "r2_bucket", bucket_name: "callrelay-archive" });
    expect(byName.INGEST_QUEUE).toMatchObject({ type: "queue", queue_name: "callrelay-ingest" });
    expect(byName.DELIVERY_QUEUE).toMatchObject({ type: "queue", queue_name: "callrelay-deliveries" });
    expect(byName.SLOW_LANE_QUEUE).toMatchObject({ type: "queue", queue_name: "callrelay-deliveries-slow" });
    expect(byName.PACER).toMatchObject({ type: "durable_object_namespace", class_name: "DestinationPacer" });
    expect(byName.RAW_RETENTION_DAYS).toMatchObject({ type: "plain_text", text: "30" });
    expect(worker?.consumers.sort()).toEqual([...QUEUES].sort());
    expect(worker?.crons).toEqual(["* * * * *"]);

    const admin = worker?.secrets.get("ADMIN_TOKEN") ?? "";
    const pushToken = worker?.secrets.get("PUSH_TOKEN") ?? "";
    expect(admin).toMatch(/^[0-9a-f]{64}$/);
    expect(pushToken).toMatch(/^[0-9a-f]{64}$/);
    expect(first.stderr).toContain("shown only this once");
    expect(first.stderr.split(`ADMIN_TOKEN=${admin}`)).toHaveLength(2);
    expect(first.stderr).toContain(`push URL: https://callrelay.relay-test.workers.dev/push/${pushToken}`);
    expect(first.stdout).toContain("console:   https://callrelay.relay-test.workers.dev/");

    expect(stub.buckets.get("callrelay-archive")?.rules).toEqual([
      expect.objectContaining({
        id: "expire-raw",
        enabled: true,
        conditions: { prefix: "raw/" },
        deleteObjectsTransition: { condition: { type: "Age", maxAge: 30 * 86_400 } },
      }),
      expect.objectContaining({
        id: "expire-attempts",
        enabled: true,
        conditions: { prefix: "attempts/" },
        deleteObjectsTransition: { condition: { type: "Age", maxAge: 30 * 86_400 } },
      }),
    ]);
    expect(byName.CALLS_STREAM).toBeUndefined();
    expect(first.stdout).toContain('history… no calls stream "callrelay_calls": deployed without CALLS_STREAM');
    // The file is shared with every deploy run from this tree: this stub's bookmark is its own.
    const bookmarks = readFileSync(BOOKMARKS_FILE, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(bookmarks).toContainEqual(expect.objectContaining({ database: "callrelay", bookmark: stub.bookmark }));
  });

  it(
    "creates nothing and changes no secret the second time",
    async () => {
      const secrets = new Map(stub.scripts.get("callrelay")?.secrets);
      stub.changes.length = 0;
      const second = await deploy(stub, [], { ADMIN_TOKEN: "a-different-token-from-the-environment-0123456789" });
      expect(second.code, second.stderr).toBe(0);
      expect(stub.unknown).toEqual([]);
      expect(stub.changes).toEqual(["upload callrelay"]);
      expect(stub.scripts.get("callrelay")?.secrets).toEqual(secrets);
      expect(second.stdout).toContain("ADMIN_TOKEN already set: kept");
      expect(second.stdout).toContain("migrations… none to apply");
      expect(second.stderr).not.toContain("shown only this once");
    },
    DEPLOY_TIMEOUT_MS,
  );
});

describe("npm run deploy that fails halfway", () => {
  let stub: CloudflareStub;
  beforeAll(async () => {
    stub = await startCloudflareStub();
  });
  afterAll(() => stub.close());

  it(
    "stops with the step named and why, and the next run resumes without creating anything twice",
    async () => {
      stub.refuseQueueCreation = true;
      const failed = await deploy(stub, [], { D1_LOCATION: "weur" });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('npm run deploy stopped at step 2/9 "queues".');
      expect(failed.stderr).toContain(`why: could not create the queue "${DLQS[0]}": `);
      expect(failed.stderr).toContain("this token may not create queues");
      expect(failed.stderr).toContain("resume: fix the cause, then run `npm run deploy` again");
      expect(stub.changes).toEqual(["create d1 callrelay (weur)"]);
      expect(stub.scripts.size).toBe(0);

      stub.refuseQueueCreation = false;
      const adminToken = "b".repeat(48);
      const resumed = await deploy(stub, ["--location", "weur"], { ADMIN_TOKEN: adminToken });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(stub.unknown).toEqual([]);
      expect(creations(stub).filter((c) => c.startsWith("create d1"))).toEqual(["create d1 callrelay (weur)"]);
      expect(
        creations(stub)
          .filter((c) => c.startsWith("create queue"))
          .sort(),
      ).toEqual([...DLQS, ...QUEUES].map((q) => `create queue ${q}`).sort());
      expect(resumed.stdout).toContain('database… found "callrelay"');
      // The environment's ADMIN_TOKEN is used and not printed; PUSH_TOKEN is generated and printed once.
      expect(stub.scripts.get("callrelay")?.secrets.get("ADMIN_TOKEN")).toBe(adminToken);
      expect(resumed.stdout + resumed.stderr).not.toContain(adminToken);
      expect(resumed.stderr).toContain("generated PUSH_TOKEN, shown only this once");
    },
    2 * DEPLOY_TIMEOUT_MS,
  );

  it("refuses a placeholder token from the environment before calling any API", async () => {
    const before = stub.requests.length;
    const refused = await deploy(stub, [], { PUSH_TOKEN: "replace-me-with-a-random-push-token" });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("PUSH_TOKEN is still the placeholder from .dev.vars.example");
    expect(refused.stderr).toContain("nothing was changed");
    expect(stub.requests.length).toBe(before);
  });

  it("--dry-run prints the plan and calls no API", async () => {
    const before = stub.requests.length;
    const dry = await deploy(stub, ["--dry-run", "--location", "enam"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('1. database: find or create the D1 database "callrelay" (location enam)');
    expect(dry.stdout).toContain(
      "6. history: keep the calls stream bound as CALLS_STREAM when it exists (wrangler basin pipelines streams get callrelay_calls --json)",
    );
    expect(dry.stdout).toContain("9. doctor");
    const dryHistory = await deploy(stub, ["--dry-run", "--history"]);
    expect(dryHistory.stdout).toContain("6. history-bucket: find or create the R2 bucket for the Iceberg warehouse");
    expect(dryHistory.stdout).toContain(
      "9. history-sink: find or create the Iceberg sink (wrangler basin pipelines sinks create callrelay_calls_sink",
    );
    expect(dryHistory.stdout).toContain("with the stream bound as CALLS_STREAM");
    expect(dryHistory.stdout).toContain("13. doctor");
    expect(stub.requests.length).toBe(before);
  }, 60_000);

  it("refuses an unknown location before doing anything", async () => {
    const bad = await deploy(stub, ["--location", "mars"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--location (or D1_LOCATION) must be one of apac, weur, eeur, enam, wnam, oc");
  });
});
