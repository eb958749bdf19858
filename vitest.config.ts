import { availableParallelism } from "node:os";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./migrations");
  // The Worker's runtime for tests (its wrangler.toml with test bindings), one plugin per project.
  const workerd = () => ({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ADMIN_TOKEN: "test-admin-token",
            PUSH_TOKEN: "test-push-token",
            ALLOW_HTTP_DESTINATIONS: "1",
            DELIVERY_TIMEOUT_MS: "500",
            FAST_LANE_TIMEOUT_MS: "250",
            MAX_PUSH_BYTES: "2097152",
            CSV_MAX_ROWS: "250",
            ACCESS_TEAM_DOMAIN: "relay-test.cloudflareaccess.com",
            ACCESS_AUD: "test-access-aud",
          },
          // An empty database for tests of migrations on data written by an older schema.
          d1Databases: { MIGRATION_DB: "migration-test" },
        },
      }),
    ],
  });
  return {
    test: {
      reporters: jsonReport ? ["default", "json"] : ["default"],
      outputFile: jsonReport ? { json: jsonReport } : undefined,
      // At least two files at a time, of either project: Vitest's default (one fewer than the cores) is one on a
      // 2-core CI machine, and then every file waits for the one before, though a workerd file spends much of its
      // time waiting on receivers, timeouts and queue delays, and the deploy tests on the wrangler processes they start.
      maxWorkers: Math.max(2, availableParallelism() - 1),
      projects: [
        {
          ...workerd(),
          test: {
            name: "worker",
            include: ["src/storage/**/*.test.ts", "test/**/*.test.ts"],
            exclude: ["test/**/*.node.test.ts"],
            setupFiles: ["./test/support/apply-migrations.ts", "./test/support/close-queues.ts"],
            testTimeout: 30_000,
          },
        },
        {
          // Unit tests of pure modules (beside them in src/, but for src/storage/, whose tests use D1): in workerd too,
          // but one runtime serves file after file (isolate: false), since they keep no storage and no queue work
          // and starting a runtime and loading the modules costs more than most of these files' tests.
          ...workerd(),
          test: {
            name: "unit",
            include: ["src/**/*.test.ts"],
            exclude: ["src/storage/**"],
            isolate: false,
            testTimeout: 30_000,
          },
        },
        {
          test: {
            name: "node",
            include: ["scripts/**/*.test.ts", "bench/**/*.test.ts", "test/**/*.node.test.ts"],
            environment: "node",
          },
        },
      ],
    },
  };
});
