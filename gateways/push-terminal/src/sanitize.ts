/**
 * Text from the network made safe for a terminal screen. A directive's title, body or
 * serial is written by a person at the hub (or anyone who got a message through), and a
 * terminal obeys what it is sent: ESC sequences clear the screen, move the cursor, recolour
 * or retitle the window (OSC), BEL rings, C1 controls (0x80-0x9f) act like ESC sequences on
 * many terminals, and bidi overrides (U+202E …) make text read backwards. Every output
 * path of the agent goes through these two functions.
 */

// whole escape sequences first, so their parameters ("[2J", "]0;title") do not stay behind:
// CSI (ESC [ or 0x9b), OSC (ESC ], ended by BEL or ST), DCS/SOS/PM/APC strings, nF escapes
// (ESC, intermediates, final) and the two-byte Fe/Fp/Fs escapes
const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -/]+[0-~]?|\x1b[0-~]/g;
// C0 except TAB and LF, DEL, C1
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// bidi embeddings, overrides, isolates and marks
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** several lines (a body): keeps line breaks and tabs */
export function safeBlock(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(ESCAPE_SEQUENCE, '')
    .replace(CONTROL, '')
    .replace(BIDI, '');
}

/** one line (a title in a list, a serial, a log line): line breaks become spaces */
export function safeLine(text: string): string {
  return safeBlock(text).replace(/[\t\n]+/g, ' ');
}
