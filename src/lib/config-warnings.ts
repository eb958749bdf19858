import type { Config } from "./config";

/** Tokens shorter than this are warned about: a 32-character random token is out of reach of guessing. */
export const MIN_TOKEN_LENGTH = 32;

const shortToken = (name: string, token: string | undefined) =>
  token !== undefined && token.length < MIN_TOKEN_LENGTH
    ? `${name} is ${token.length} characters long: use at least ${MIN_TOKEN_LENGTH} random characters (openssl rand -hex 32)`
    : undefined;

/** The checks of a configuration, each a warning or nothing. Add one here to warn in /health, the console and doctor. */
const checks: ((config: Config) => string | undefined)[] = [
  (config) => shortToken("ADMIN_TOKEN", config.adminToken),
  (config) => shortToken("PUSH_TOKEN", config.pushToken),
];

/** What is risky about a configuration, in plain words (`/health`'s `warnings`, the console's banner). */
export function configWarnings(config: Config): string[] {
  return checks.flatMap((check) => check(config) ?? []);
}
