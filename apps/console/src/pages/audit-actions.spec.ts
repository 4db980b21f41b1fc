import { describe, expect, it } from '@jest/globals';
import { WARNING_STEPS } from '#contracts';
import { zh } from '../i18n/zh.js';
import { en } from '../i18n/en.js';
import { AUDIT_SENTENCES } from './audit-sentence.js';

const root = new URL('../../../../', import.meta.url);

/** node:fs, reached without node's types: the console's type check knows only the browser. */
interface Fs {
  readdirSync(dir: URL): string[];
  readdirSync(dir: URL, o: { withFileTypes: true }): { name: string; isDirectory(): boolean }[];
  readFileSync(file: URL, encoding: 'utf8'): string;
}
const { readdirSync, readFileSync } = (
  globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } }
).process.getBuiltinModule('node:fs') as Fs;

/** The server's sources: the apps but the console, and the libs; specs and migrations are not. */
function serverSources(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(new URL(dir, root), { withFileTypes: true })) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== 'migrations' && e.name !== 'node_modules') walk(path);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) {
        files.set(path, readFileSync(new URL(path, root), 'utf8'));
      }
    }
  };
  for (const app of readdirSync(new URL('apps', root))) if (app !== 'console') walk(`apps/${app}/src`);
  for (const lib of readdirSync(new URL('libs', root))) walk(`libs/${lib}/src`);
  return files;
}

const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);

/**
 * Files that name an audit action other than by `action: '<literal>'`, and how to read the
 * actions they write. A new one fails the test below until it is described here.
 */
const INDIRECT: Record<string, (text: string) => string[]> = {
  // record(actor, 'end', …) → consultation.end
  'apps/sfu/src/consultations/consultations.service.ts': (s) =>
    all(s, /this\.record\(\s*\w+,\s*'([a-z_.]+)'/g).map((a) => `consultation.${a}`),
  // record(actor, 'talkgroup.update', …), also in a ternary → radio.talkgroup.update
  'apps/sfu/src/radio/talkgroups.service.ts': (s) =>
    all(s, /'((?:talkgroup|gateway)\.[a-z_]+)'/g).map((a) => `radio.${a}`),
  // report.${stage}, stage: 'due' | 'overdue' | …
  'apps/dispatch/src/reporting/incident-alerts.ts': (s) =>
    all(/stage: ((?:'[a-z_]+'\s*\|?\s*)+)/.exec(s)?.[1] ?? '', /'([a-z_]+)'/g).map((a) => `report.${a}`),
  // warning.${step}: a step of the workflow
  'apps/dispatch/src/warnings/warnings.service.ts': () => WARNING_STEPS.map((a) => `warning.${a}`),
  // warningChange(actor, id, action, …): its callers pass literals or warning.${step}
  'apps/dispatch/src/warnings/warning-changes.ts': () => [],
  'apps/dispatch/src/warnings/warning-publication.service.ts': (s) => [
    ...all(s, /'(warning\.[a-z_]+)'/g),
    ...WARNING_STEPS.map((a) => `warning.${a}`),
  ],
  // const action = … ? 'user.disable' : 'user.enable' …
  'apps/dispatch/src/users/users.service.ts': (s) => all(s, /'(user\.[a-z_]+)'/g),
  // this.append(userId, 'auth.login', …)
  'apps/dispatch/src/auth/auth-audit.ts': (s) => all(s, /this\.append\([^,]+,\s*'([a-z_.]+)'/g),
  // the duty log's own chain (duty.log.<kind>), not audit_log: its audit entry is duty.log.append
  'libs/domain/src/duty-log.ts': () => [],
  // the store and the chain's hashing: input.action is what their callers pass
  'libs/persistence/src/audit-store.ts': () => [],
  'libs/domain/src/audit-chain.ts': () => [],
};

/** A file that appends to the log or builds an entry for it (the store itself passes input.action on). */
const WRITES = /\.append\(|appendMany\(|\bAuditInput\b|\bAuditContent\b/;
/** An action named other than by a literal: a template, a shorthand property or a variable. */
const INDIRECT_ACTION = /\baction: `|[{,]\s*action\s*[,}]|\baction: (?!')[a-zA-Z]/;

describe('the audit page knows every action the server records', () => {
  const sources = serverSources();
  const recorded = new Set<string>();
  for (const [path, text] of sources) {
    for (const a of all(text, /\baction: '([a-z_.]+)'/g)) recorded.add(a);
    for (const a of INDIRECT[path]?.(text) ?? []) recorded.add(a);
  }

  it('finds the actions in the server sources (the grep still works)', () => {
    expect(recorded.size).toBeGreaterThan(100);
    for (const a of ['directive.issue', 'team.alert', 'consultation.end', 'radio.talkgroup.patch'])
      expect(recorded).toContain(a);
    expect(recorded).toContain('report.overdue');
    expect(recorded).toContain('auth.login_failed');
  });

  it('reads every file that writes an action it does not spell out', () => {
    const unread = [...sources]
      .filter(([path, text]) => WRITES.test(text) && INDIRECT_ACTION.test(text) && !(path in INDIRECT))
      .map(([path]) => path);
    expect(unread).toEqual([]);
  });

  it('has a zh-CN and an English sentence for each', () => {
    const missing = [...recorded].filter((a) => !AUDIT_SENTENCES[a]).sort();
    expect(missing).toEqual([]);
    for (const key of Object.values(AUDIT_SENTENCES)) {
      expect(zh[key]).toBeTruthy();
      expect(en[key]).toBeTruthy();
    }
  });
});
