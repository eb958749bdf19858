/** Hono's environment for every route: the Worker's bindings, and who is acting (set by the auth middleware). */
export type AppEnv = { Bindings: Env; Variables: { actor?: string } };
