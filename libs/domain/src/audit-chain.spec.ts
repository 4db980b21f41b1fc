import { describe, expect, it } from '@jest/globals';
import {
  AUDIT_KEYED,
  AUDIT_LEGACY,
  AUDIT_REKEYED_ACTION,
  auditHash,
  auditMac,
  canonicalJson,
  ChainVerifier,
  GENESIS_HASH,
  headSignatureValid,
  signHead,
  verifyChain,
  type AuditContent,
  type AuditRow,
  type SignedAuditHead,
} from './audit-chain.js';

function content(seq: number, overrides: Partial<AuditContent> = {}): AuditContent {
  return {
    seq,
    at: `2025-01-0${seq}T00:00:00.000Z`,
    actorId: 'actor-1',
    action: 'site.create',
    subjectType: 'site',
    subjectId: `site-${seq}`,
    data: { name: `site ${seq}`, tags: ['a', 'b'] },
    ...overrides,
  };
}

/** A correctly linked chain of `n` rows starting at seq 1. */
function chain(n: number, start = GENESIS_HASH): AuditRow[] {
  const rows: AuditRow[] = [];
  let prevHash = start;
  for (let seq = 1; seq <= n; seq++) {
    const c = content(seq);
    const hash = auditHash(c, prevHash);
    rows.push({ ...c, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

describe('canonicalJson', () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalJson({ a: 2, b: 1 })).toBe(canonicalJson({ b: 1, a: 2 }));
  });

  it('sorts nested objects, keeps array order, drops undefined keys', () => {
    const value = { z: { y: [3, { d: null, c: 'x' }], x: true }, a: undefined, n: 1.5 };
    expect(canonicalJson(value)).toBe('{"n":1.5,"z":{"x":true,"y":[3,{"c":"x","d":null}]}}');
  });

  it('treats top-level null and undefined as null', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('auditHash', () => {
  const base = content(1);
  const baseHash = auditHash(base, GENESIS_HASH);

  it('is a sha256 hex digest that does not depend on key order', () => {
    expect(baseHash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(base).reverse()) as unknown as AuditContent;
    expect(auditHash(reordered, GENESIS_HASH)).toBe(baseHash);
  });

  const changes: [string, Partial<AuditContent>][] = [
    ['seq', { seq: 2 }],
    ['at', { at: '2025-01-01T00:00:00.001Z' }],
    ['actorId', { actorId: null }],
    ['action', { action: 'site.delete' }],
    ['subjectType', { subjectType: 'user' }],
    ['subjectId', { subjectId: 'site-9' }],
    ['data (nested)', { data: { name: 'site 1', tags: ['b', 'a'] } }],
  ];

  it.each(changes)('changes when %s changes', (_field, override) => {
    expect(auditHash({ ...base, ...override }, GENESIS_HASH)).not.toBe(baseHash);
  });

  it('changes when prevHash changes', () => {
    expect(auditHash(base, '1'.repeat(64))).not.toBe(baseHash);
  });
});

describe('verifyChain', () => {
  it('accepts a good chain', () => {
    expect(verifyChain(chain(4))).toEqual({ ok: true, checked: 4 });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([])).toEqual({ ok: true, checked: 0 });
  });

  it('detects a modified row', () => {
    const rows = chain(4);
    rows[1] = { ...rows[1]!, data: { name: 'forged' } };
    expect(verifyChain(rows)).toEqual({
      ok: false,
      checked: 1,
      brokenAt: { seq: 2, reason: 'content does not match its hash' },
    });
  });

  it('detects a modified hash (at that row)', () => {
    const rows = chain(4);
    rows[2] = { ...rows[2]!, hash: 'f'.repeat(64) };
    expect(verifyChain(rows)).toMatchObject({ ok: false, checked: 2, brokenAt: { seq: 3 } });
  });

  it('detects a forged row whose own hash was recomputed (next link breaks)', () => {
    const rows = chain(4);
    const forged = { ...content(2), data: { name: 'forged' } };
    rows[1] = { ...forged, prevHash: rows[1]!.prevHash, hash: auditHash(forged, rows[1]!.prevHash) };
    expect(verifyChain(rows)).toEqual({
      ok: false,
      checked: 2,
      brokenAt: { seq: 3, reason: 'link to previous row does not match' },
    });
  });

  it('detects a deleted middle row as a seq gap', () => {
    const rows = chain(4);
    rows.splice(1, 1);
    expect(verifyChain(rows)).toEqual({
      ok: false,
      checked: 1,
      brokenAt: { seq: 3, reason: 'row 2 is missing' },
    });
  });

  it('detects reordered rows', () => {
    const [r1, r2, r3, r4] = chain(4);
    expect(verifyChain([r1!, r3!, r2!, r4!])).toMatchObject({ ok: false, checked: 1, brokenAt: { seq: 3 } });
  });

  it('detects reordered rows even when their seq numbers were swapped too', () => {
    const [r1, r2, r3, r4] = chain(4);
    const swapped = [r1!, { ...r3!, seq: 2 }, { ...r2!, seq: 3 }, r4!];
    expect(verifyChain(swapped)).toEqual({
      ok: false,
      checked: 1,
      brokenAt: { seq: 2, reason: 'link to previous row does not match' },
    });
  });

  it('detects a wrong startPrevHash', () => {
    const rows = chain(3);
    expect(verifyChain(rows, '1'.repeat(64))).toEqual({
      ok: false,
      checked: 0,
      brokenAt: { seq: 1, reason: 'link to previous row does not match' },
    });
  });

  it('verifies from a checkpoint with startPrevHash and startSeq', () => {
    const rows = chain(5);
    expect(verifyChain(rows.slice(2), rows[1]!.hash, 3)).toEqual({ ok: true, checked: 3 });
    expect(verifyChain(rows.slice(2), rows[1]!.hash)).toMatchObject({ ok: false, brokenAt: { seq: 3 } });
  });
});

describe('the keyed chain (HMAC) and its anchored head', () => {
  const KEY = Buffer.from('unit-spec-audit-key-0123456789abcdef');

  /** `legacy` unkeyed rows, then (if any) an audit.rekeyed entry, then keyed rows up to `n` */
  function keyedChain(n: number, legacy = 0): AuditRow[] {
    const rows: AuditRow[] = [];
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const keyed = seq > legacy;
      const c =
        keyed && legacy > 0 && seq === legacy + 1
          ? content(seq, { action: AUDIT_REKEYED_ACTION })
          : content(seq);
      const hash = keyed ? auditMac(c, prevHash, KEY) : auditHash(c, prevHash);
      rows.push({ ...c, prevHash, hash, version: keyed ? AUDIT_KEYED : AUDIT_LEGACY });
      prevHash = hash;
    }
    return rows;
  }

  function check(rows: AuditRow[], anchor?: SignedAuditHead, key = KEY) {
    const verifier = new ChainVerifier(key, undefined, anchor);
    for (const row of rows) if (verifier.push(row)) break;
    return verifier.finish();
  }

  const anchorOf = (rows: AuditRow[], keyedFrom: number | null = 1) =>
    signHead(
      { seq: rows.at(-1)!.seq, hash: rows.at(-1)!.hash, at: '2026-01-01T00:00:00.000Z', keyedFrom },
      KEY,
    );

  it('accepts a keyed chain, and a legacy part followed by audit.rekeyed', () => {
    expect(check(keyedChain(5))).toEqual({ ok: true, checked: 5 });
    const mixed = keyedChain(6, 3);
    expect(check(mixed, anchorOf(mixed, 4))).toEqual({ ok: true, checked: 6 });
  });

  it('rejects a keyed row re-hashed with plain SHA-256, or with HMAC under another key', () => {
    const rows = keyedChain(4);
    const forged = { ...rows[1]!, actorId: 'someone-else' };
    const { prevHash, hash: _h, version: _v, ...c } = forged;
    expect(check([rows[0]!, { ...forged, hash: auditHash(c, prevHash) }])).toMatchObject({
      ok: false,
      brokenAt: { seq: 2, reason: 'content does not match its hash' },
    });
    const other = Buffer.from('another-key-just-as-long-0123456789ab');
    expect(check([rows[0]!, { ...forged, hash: auditMac(c, prevHash, other) }]).brokenAt?.seq).toBe(2);
    expect(check(rows, undefined, other)).toMatchObject({ ok: false, brokenAt: { seq: 1 } });
  });

  it('rejects an unkeyed row after the keyed part began, and a keyed part without audit.rekeyed', () => {
    const rows = keyedChain(3);
    const { prevHash, hash: _h, version: _v, ...c } = rows[2]!;
    expect(
      check([rows[0]!, rows[1]!, { ...rows[2]!, version: AUDIT_LEGACY, hash: auditHash(c, prevHash) }]),
    ).toMatchObject({
      ok: false,
      brokenAt: { seq: 3, reason: 'an unkeyed row after the keyed part began at row 1' },
    });
    const mixed = keyedChain(5, 2);
    const plain = content(3);
    const noMarker = {
      ...plain,
      prevHash: mixed[1]!.hash,
      hash: auditMac(plain, mixed[1]!.hash, KEY),
      version: AUDIT_KEYED,
    };
    expect(check([mixed[0]!, mixed[1]!, noMarker]).brokenAt).toEqual({
      seq: 3,
      reason: 'the keyed part must start with an audit.rekeyed entry',
    });
  });

  it('finds a cut tail, a replaced head and a forged anchor against the anchored head', () => {
    const rows = keyedChain(10);
    const anchor = anchorOf(rows);
    expect(check(rows.slice(0, 5), anchor).brokenAt).toEqual({
      seq: 6,
      reason: 'rows 6-10 are missing: the chain ends before its anchored head (2026-01-01T00:00:00.000Z)',
    });
    expect(check(rows, { ...anchor, hash: 'f'.repeat(64) }).brokenAt).toEqual({
      seq: 10,
      reason: 'the anchored head is not signed with the audit key',
    });
    const resigned = signHead({ ...anchor, hash: 'f'.repeat(64) }, KEY);
    expect(check(rows, resigned).brokenAt?.reason).toMatch(/row 10 does not match the anchored head/);
    // a chain that grew after the anchor is fine
    expect(check(keyedChain(12), anchor)).toEqual({ ok: true, checked: 12 });
  });

  it('signs a head so that any field change shows', () => {
    const head = { seq: 3, hash: 'a'.repeat(64), at: '2026-01-01T00:00:00.000Z', keyedFrom: 1 };
    const signed = signHead(head, KEY);
    expect(headSignatureValid(signed, KEY)).toBe(true);
    for (const change of [
      { seq: 2 },
      { hash: 'b'.repeat(64) },
      { at: 'x' },
      { keyedFrom: 2 },
      { mac: '00' },
    ]) {
      expect(headSignatureValid({ ...signed, ...change }, KEY)).toBe(false);
    }
    expect(headSignatureValid(signed, Buffer.from('other'))).toBe(false);
  });
});
