// `npm run deploy -- --history` end to end, offline, against a stub of the Cloudflare API (see deploy.test.ts): the
// Basin resources, the stream's binding, and plain deploys after it.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ID, type CloudflareStub, startCloudflareStub } from "./cloudflare-stub.ts";
import { creations, DEPLOY_TIMEOUT_MS, deploy } from "./deploy-harness.ts";
import { HISTORY_CONFIG_FILE } from "./run.mjs";

describe("npm run deploy -- --history on an account deployed to before", () => {
  let stub: CloudflareStub;
  beforeAll(async () => {
    stub = await startCloudflareStub();
    const plain = await deploy(stub);
    expect(plain.code, plain.stderr).toBe(0);
  }, DEPLOY_TIMEOUT_MS);
  afterAll(() => stub.close());

  it(
    "--history then adds the Basin resources once (resuming after a missing catalog token) and binds the stream",
    async () => {
      stub.changes.length = 0;
      const noToken = await deploy(stub, ["--history"]);
      expect(noToken.code).toBe(1);
      expect(noToken.stderr).toContain('npm run deploy stopped at step 9/13 "history-sink".');
      expect(noToken.stderr).toContain("needs CALLRELAY_CATALOG_TOKEN");
      expect(noToken.stderr).toContain("resume: fix the cause, then run `npm run deploy -- --history` again");
      expect(stub.changes).toEqual([
        "create bucket callrelay-history",
        "create catalog callrelay-history",
        "create stream callrelay_calls",
      ]);

      const catalogToken = "c".repeat(40);
      const history = await deploy(stub, ["--history"], { CALLRELAY_CATALOG_TOKEN: catalogToken });
      expect(history.code, history.stderr).toBe(0);
      expect(stub.unknown).toEqual([]);
      expect(creations(stub)).toEqual(
        [
          "create bucket callrelay-history",
          "create catalog callrelay-history",
          "create pipeline callrelay_calls_pipeline",
          "create sink callrelay_calls_sink",
          "create stream callrelay_calls",
        ].sort(),
      );
      const stream = stub.basin.streams.get("callrelay_calls");
      expect(stream).toMatchObject({ http: { enabled: false }, schema: { fields: expect.any(Array) } });
      expect(stub.basin.sinks.get("callrelay_calls_sink")).toMatchObject({
        type: "r2_data_catalog",
        config: { bucket: "callrelay-history", namespace: "callrelay", table_name: "calls" },
      });
      expect(stub.basin.pipelines.get("callrelay_calls_pipeline")?.sql).toBe(
        "INSERT INTO callrelay_calls_sink SELECT * FROM callrelay_calls",
      );
      const bindings = stub.scripts.get("callrelay")?.bindings ?? [];
      expect(bindings.find((b) => b.name === "CALLS_STREAM")).toEqual({
        name: "CALLS_STREAM",
        type: "pipelines",
        stream: stream?.id,
      });
      expect(bindings.find((b) => b.name === "DB")).toMatchObject({ type: "d1" });
      expect(history.stdout).toContain(`history-stream… found "callrelay_calls" (id ${stream?.id})`);
      expect(history.stdout).toContain(`export CALLRELAY_WAREHOUSE=${ACCOUNT_ID}_callrelay-history`);
      expect(history.stdout).toContain('npx callrelay history "SELECT count(*) FROM callrelay.calls"');
      expect(history.stdout).toContain(
        `POST https://api.sql.cloudflarestorage.com/api/v1/accounts/${ACCOUNT_ID}/basin-sql/query/callrelay-history`,
      );
      expect(history.stdout + history.stderr).not.toContain(catalogToken);
      expect(existsSync(HISTORY_CONFIG_FILE)).toBe(false);

      stub.changes.length = 0;
      const again = await deploy(stub, ["--history"]);
      expect(again.code, again.stderr).toBe(0);
      expect(stub.unknown).toEqual([]);
      expect(stub.changes).toEqual(["upload callrelay"]);
      expect(stub.scripts.get("callrelay")?.bindings.find((b) => b.name === "CALLS_STREAM")?.stream).toBe(stream?.id);
    },
    2 * DEPLOY_TIMEOUT_MS,
  );

  it(
    "a plain deploy after --history keeps the stream bound; one that cannot look it up stops; --no-history unbinds it",
    async () => {
      const stream = stub.basin.streams.get("callrelay_calls");
      const boundStream = () => stub.scripts.get("callrelay")?.bindings.find((b) => b.name === "CALLS_STREAM");
      expect(boundStream()?.stream).toBe(stream?.id);

      stub.changes.length = 0;
      const plain = await deploy(stub);
      expect(plain.code, plain.stderr).toBe(0);
      expect(stub.unknown).toEqual([]);
      expect(stub.changes).toEqual(["upload callrelay"]);
      expect(boundStream()).toEqual({ name: "CALLS_STREAM", type: "pipelines", stream: stream?.id });
      expect(plain.stdout).toContain(`history… found the calls stream "callrelay_calls" (id ${stream?.id})`);
      expect(existsSync(HISTORY_CONFIG_FILE)).toBe(false);

      stub.refusePipelinesRead = true;
      stub.changes.length = 0;
      const refused = await deploy(stub);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('npm run deploy stopped at step 6/9 "history".');
      expect(refused.stderr).toContain("this token may not read pipelines");
      expect(refused.stderr).toContain("--no-history");
      expect(stub.changes).toEqual([]);
      expect(boundStream()?.stream).toBe(stream?.id);

      const without = await deploy(stub, ["--no-history"]);
      expect(without.code, without.stderr).toBe(0);
      expect(stub.changes).toEqual(["upload callrelay"]);
      expect(boundStream()).toBeUndefined();
      stub.refusePipelinesRead = false;
    },
    3 * DEPLOY_TIMEOUT_MS,
  );
});
