// @ts-check
// Plain JavaScript with JSDoc types: the Worker, `npm run dev`, `npm run deploy` and `callrelay doctor` (plain
// Node) share these rules for ADMIN_TOKEN and PUSH_TOKEN.

/** Shortest token that is not called weak: 32 characters (`openssl rand -hex 32` gives 64). */
export const MIN_TOKEN_LENGTH = 32;

/** How every placeholder in `.dev.vars.example` starts; a token starting so is refused everywhere. */
export const PLACEHOLDER_PREFIX = "replace-me";

/** @param {string | undefined} value */
export const isPlaceholderToken = (value) => value?.trim().startsWith(PLACEHOLDER_PREFIX) === true;

/** A fresh random token: 32 random bytes as 64 hex digits. */
export function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What is wrong with a token named `name` (e.g. ADMIN_TOKEN), in plain words; undefined when nothing is.
 * A missing token is not a problem here: the Worker then disables what needs it.
 * @param {string} name
 * @param {string | undefined} value
 */
export function tokenProblem(name, value) {
  if (value === undefined || value === "") return undefined;
  if (isPlaceholderToken(value)) {
    return `${name} is still the placeholder from .dev.vars.example and is refused: set a random one (openssl rand -hex 32)`;
  }
  if (value.length < MIN_TOKEN_LENGTH) {
    return `${name} is ${value.length} characters long: use ${MIN_TOKEN_LENGTH} or more (openssl rand -hex 32)`;
  }
  return undefined;
}

/**
 * The problems of the Worker's two tokens, one line each.
 * @param {{ADMIN_TOKEN?: string, PUSH_TOKEN?: string}} env
 * @returns {string[]}
 */
export function tokenWarnings(env) {
  return /** @type {const} */ (["ADMIN_TOKEN", "PUSH_TOKEN"]).flatMap((name) => tokenProblem(name, env[name]) ?? []);
}
