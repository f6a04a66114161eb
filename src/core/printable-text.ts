/** True when the text holds a C0 control character or DEL (names are shown in tables and logs). */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * True when the text holds a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069), or a
 * zero-width character: they make a name read differently from what it is in tables and the audit log.
 */
export function hasInvisibleFormatting(text: string): boolean {
  return /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/.test(text);
}

/**
 * JSON text as a header value: everything outside printable ASCII written as a `\u` escape, which
 * keeps it the same JSON (Node refuses other characters in a header).
 */
export function asciiJson(json: string): string {
  return json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
