/** Hono's environment for every route: the Worker's bindings. */
export type AppEnv = { Bindings: Env };
