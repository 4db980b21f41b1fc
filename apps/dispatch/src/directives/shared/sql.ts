/**
 * A constant list of states as an SQL `IN (...)` list, so a rule of libs/domain (which
 * states are still waited for, which are final) is also what the statements select.
 * Only for compile-time constants: never for input.
 */
export function sqlList(values: readonly string[]): string {
  return `(${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`;
}
