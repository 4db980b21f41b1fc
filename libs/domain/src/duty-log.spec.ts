import { describe, expect, it } from '@jest/globals';
import { auditMac, ChainVerifier, GENESIS_HASH } from './audit-chain.js';
import {
  dutyLogAsChainRow,
  dutyLogKey,
  dutyLogMac,
  type DutyLogContent,
  type DutyLogEntry,
} from './duty-log.js';

const auditKey = Buffer.from('an-audit-key-of-at-least-32-characters!');
const key = dutyLogKey(auditKey);

function chain(contents: Omit<DutyLogContent, 'seq'>[]): DutyLogEntry[] {
  let prevHash = GENESIS_HASH;
  return contents.map((c, i) => {
    const content = { ...c, seq: i + 1 };
    const hash = dutyLogMac(content, prevHash, key);
    const entry = { ...content, prevHash, hash };
    prevHash = hash;
    return entry;
  });
}

const verify = (entries: DutyLogEntry[]) => {
  const v = new ChainVerifier(key);
  for (const e of entries) if (v.push(dutyLogAsChainRow(e))) break;
  return v.finish();
};

describe('duty log chain', () => {
  const entries = chain(
    (['call', 'document', 'note'] as const).map((kind, i) => ({
      at: `2026-12-07T0${i}:00:00.000Z`,
      actorId: 'u',
      kind,
      siteId: 's',
      data: { text: `entry ${i}`, ...(kind === 'call' && { caller: '王', phone: '1' }) },
    })),
  );

  it('verifies with the audit verifier under its own derived key', () => {
    expect(verify(entries)).toEqual({ ok: true, checked: 3 });
    expect(key.equals(auditKey)).toBe(false);
    // a duty log MAC is not an audit MAC of the same content under the audit key
    const row = dutyLogAsChainRow(entries[0]!);
    const { prevHash, hash, version: _v, ...content } = row;
    expect(auditMac(content, prevHash, auditKey)).not.toBe(hash);
  });

  it('names the first changed, removed or reordered entry', () => {
    const edited = entries.map((e) => (e.seq === 2 ? { ...e, data: { text: 'changed' } } : e));
    expect(verify(edited)).toMatchObject({
      ok: false,
      brokenAt: { seq: 2, reason: 'content does not match its hash' },
    });
    expect(verify([entries[0]!, entries[2]!])).toMatchObject({
      brokenAt: { seq: 3, reason: 'row 2 is missing' },
    });
    const kind = entries.map((e) => (e.seq === 3 ? { ...e, kind: 'call' as const } : e));
    expect(verify(kind)).toMatchObject({ brokenAt: { seq: 3 } });
  });
});
