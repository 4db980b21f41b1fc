/**
 * 签收 over the air: a radio user acknowledges a directive by keying in its code. The code
 * is the serial's number within its year (directive serials are `2026-0042`,
 * libs/domain formatSerial) then '#', the key that ends an entry on every radio keypad.
 * Leading zeros are kept: the user reads the code off the announcement as spoken.
 */

const MAX_CODE_DIGITS = 8;

/** the DTMF code for 签收 of a directive: the serial's last number group then '#': '2026-0042' → '0042#' */
export function dtmfCodeForSerial(serial: string): string {
  const group = /(\d+)\D*$/.exec(serial)?.[1];
  if (!group || group.length > MAX_CODE_DIGITS)
    throw new RangeError(`no DTMF code in serial ${JSON.stringify(serial)}`);
  return `${group}#`;
}

/**
 * Normalize what a gateway reported ('0042#', '0042', '*0042#') to a code or null: a
 * leading '*' (some radios need it to start sending DTMF) and repeated '#' are dropped;
 * anything else but digits is not a code.
 */
export function normalizeDtmfCode(digits: string): string | null {
  const m = /^\**(\d{1,8})#*$/.exec(digits.trim());
  return m ? `${m[1]}#` : null;
}
