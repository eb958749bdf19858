/** Text a spreadsheet would run as a formula (OWASP, CSV injection): it starts with = + - @, a tab or a CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 cell, safe to open in a spreadsheet: text that starts like a formula gets a leading `'` (so it
 * reads as text) and is quoted; text with a quote, comma or line break is quoted. Numbers stay numbers.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line, ended with CRLF. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** The line that ends an export cut at `cap` rows. */
export function csvCutLine(cap: number): string {
  return csvLine([`Export cut at ${cap} rows: narrow the search (dates, task, intent) to export the rest`]);
}
