import type { Lang, T } from "./i18n";

/** The console's Hono environment: bindings, who is signed in, and the viewer's preferences. */
export type ConsoleEnv = {
  Bindings: Env;
  Variables: { actor: string; lang: Lang; timeZone: string; t: T };
};
