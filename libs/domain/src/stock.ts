import type { RuleDenial } from './rule-denial.js';

/** 应急物资 (docs/stock-and-experts.md): the item code rule and the item flags, free of I/O. */

/** Stock and expert writes (depots, items, dispatches, imports) per user per minute. */
export const STOCK_WRITES_PER_MINUTE = 60;
/** The flag window when the caller names none: 30 days ahead of expiry. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

/** GB/T 38565-2020 应急物资分类及编码: the first digit names the class. */
export const ITEM_CLASSES = { '1': '生活类物资', '2': '装备类物资', '3': '工程材料类物资' } as const;
export type ItemClassDigit = keyof typeof ITEM_CLASSES;

export const ITEM_CODE_RULE =
  '物资编码应为7位数字，首位为1-3（GB/T 38565-2020：1生活类，2装备类，3工程材料类）';

/**
 * Why `code` is not a GB/T 38565-2020 item code, or null. The code is 7 digits in 4 levels:
 * 1 digit class (1-3), then 2 digits each for 大类, 中类 and 小类; the standard's own
 * tables assign the lower levels, so only the shape and the class are checked here.
 */
export function itemCodeProblem(code: string): string | null {
  if (code === '') return `${ITEM_CODE_RULE}；编码为空`;
  if (!/^\d+$/.test(code)) return `${ITEM_CODE_RULE}；“${code.slice(0, 20)}”含有非数字字符`;
  if (code.length !== 7) return `${ITEM_CODE_RULE}；“${code.slice(0, 20)}”是${code.length}位`;
  if (!(code[0]! in ITEM_CLASSES)) return `${ITEM_CODE_RULE}；首位是${code[0]}`;
  return null;
}

export function itemCodeDenial(code: string, path = 'code'): RuleDenial | null {
  const problem = itemCodeProblem(code);
  return problem
    ? { code: 'invalid', message: `${path}: ${problem}`, fields: [{ path, message: problem }] }
    : null;
}

/** The 4 levels of a valid code: class, 大类, 中类, 小类. */
export function itemCodeLevels(code: string): [string, string, string, string] {
  return [code.slice(0, 1), code.slice(1, 3), code.slice(3, 5), code.slice(5, 7)];
}

export interface StockFlags {
  expired: boolean;
  expiringSoon: boolean;
  belowMinimum: boolean;
}

/**
 * The flags a stock list shows: expired at or after expiresAt; expiring soon when it expires
 * within `withinDays` and has not yet; below minimum when a minimum is set and the quantity
 * is under it (equal is enough).
 */
export function stockFlags(
  item: { quantity: number; minimum: number | null; expiresAt: Date | null },
  now: Date,
  withinDays = DEFAULT_EXPIRY_WARNING_DAYS,
): StockFlags {
  const expiry = item.expiresAt?.getTime();
  const expired = expiry !== undefined && expiry <= now.getTime();
  const expiringSoon = expiry !== undefined && !expired && expiry <= now.getTime() + withinDays * 86_400_000;
  return { expired, expiringSoon, belowMinimum: item.minimum !== null && item.quantity < item.minimum };
}

/** A dispatch takes at most what is in stock (409 otherwise, and nothing changes). */
export function dispatchDenial(
  item: { code: string; quantity: number; unit: string },
  quantity: number,
): RuleDenial | null {
  if (quantity > item.quantity)
    return {
      code: 'conflict',
      message: `only ${item.quantity} ${item.unit} of ${item.code} in stock; ${quantity} asked (库存不足)`,
      fields: [{ path: 'quantity', message: `库存仅有${item.quantity}${item.unit}` }],
    };
  return null;
}
