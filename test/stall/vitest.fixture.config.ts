import { defineConfig, type TestProjectInlineConfiguration, type ViteUserConfig } from "vitest/config";
import suite from "../../vitest.config";

/** The suite's worker project, running only the stall fixture. */
export default defineConfig(async (env) => {
  const config = (await (suite as (e: typeof env) => Promise<ViteUserConfig>)(env)) as ViteUserConfig;
  const [worker] = (config.test?.projects ?? []) as TestProjectInlineConfiguration[];
  return {
    test: {
      projects: [{ ...worker, test: { ...worker?.test, include: ["test/stall/*.fixture.ts"] } }],
    },
  };
});
