const encoder = new TextEncoder();

/** Standard base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const bytesOf = (value: string | Uint8Array) => (typeof value === "string" ? encoder.encode(value) : value);

/** Base64 of HMAC-SHA256 over `message` with `key`; strings are taken as UTF-8. */
export async function hmacSha256Base64(key: string | Uint8Array, message: string | Uint8Array): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey("raw", bytesOf(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, bytesOf(message))));
}
