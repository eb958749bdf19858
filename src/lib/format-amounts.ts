/** Seconds as minutes and seconds, `m:ss` (`65` → `"1:05"`, `3600` → `"60:00"`); rounds to whole seconds. */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * A decimal amount (a string, kept exact) with its currency in the reader's language: `"1234.5", "USD"` →
 * `"US$1,234.50"` (zh) or `"$1,234.50"` (en). A currency code `Intl` does not know is written after the amount.
 */
export function formatMoney(amount: string, currency: string, lang: "en" | "zh"): string {
  try {
    const format = new Intl.NumberFormat(lang === "zh" ? "zh-CN" : "en-US", {
      style: "currency",
      currency,
      maximumFractionDigits: 6,
    });
    // A numeric string keeps its exact decimal digits (Intl.NumberFormat v3).
    return format.format(amount as unknown as number);
  } catch {
    return `${amount} ${currency}`;
  }
}
