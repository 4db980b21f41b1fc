import { describe, expect, it } from '@jest/globals';
import type { Actor } from '#domain';
import type { AppConfig } from '#platform';
import type { SiteGroupsRepository } from './site-groups.repository.js';
import type { SiteTargetsRepository } from './site-targets.repository.js';
import { TargetingService } from './targeting.service.js';

/** A county (/r/c/) with two townships, each with one village; a group holds township t1. */
const SITES: Record<string, { path: string; kind: string }> = {
  c: { path: '/r/c/', kind: 'command' },
  t1: { path: '/r/c/t1/', kind: 'township' },
  v1: { path: '/r/c/t1/v1/', kind: 'village' },
  t2: { path: '/r/c/t2/', kind: 'township' },
  v2: { path: '/r/c/t2/v2/', kind: 'village' },
  x: { path: '/r/x/', kind: 'township' },
};
const GROUPS: Record<string, { owner: string; members: string[] }> = {
  g: { owner: '/r/c/', members: ['t1'] },
  gx: { owner: '/r/x/', members: ['x'] },
};

/** The statements' meaning over the table above, recording what each step was asked. */
function fakes() {
  const calls: string[] = [];
  const entries = () => Object.entries(SITES);
  const sites = {
    paths: async (ids: string[]) => {
      calls.push(`paths ${ids.join(',')}`);
      return new Map(ids.filter((id) => SITES[id]).map((id) => [id, SITES[id]!.path]));
    },
    townshipsUnder: async (scope: string, limit: number) => {
      calls.push(`townships ${scope} ${limit}`);
      return entries()
        .filter(([, s]) => s.kind === 'township' && s.path.startsWith(scope))
        .map(([id]) => id)
        .slice(0, limit);
    },
    groupMembers: async (groupIds: string[], scope: string, limit: number) => {
      calls.push(`members ${groupIds.join(',')} ${limit}`);
      const ids = [...new Set(groupIds.flatMap((g) => GROUPS[g]!.members))];
      return ids
        .filter((id) => SITES[id]!.path.startsWith(scope))
        .map((id) => ({ id, path: SITES[id]!.path }))
        .slice(0, limit);
    },
    subtrees: async (roots: string[], limit: number) => {
      calls.push(`subtrees ${roots.join(',')} ${limit}`);
      return entries()
        .filter(([, s]) => roots.some((r) => s.path.startsWith(r)))
        .map(([id]) => id)
        .slice(0, limit);
    },
  };
  const groups = {
    ownerPaths: async (ids: string[]) => {
      calls.push(`groups ${ids.join(',')}`);
      return new Map(ids.filter((id) => GROUPS[id]).map((id) => [id, GROUPS[id]!.owner]));
    },
  };
  return { calls, sites, groups };
}

function service(maxRecipients = 10) {
  const f = fakes();
  const config = {
    raw: { DIRECTIVE_MAX_TARGETS: 3, DIRECTIVE_MAX_GROUPS: 2, DIRECTIVE_MAX_RECIPIENTS: maxRecipients },
  } as unknown as AppConfig;
  const targeting = new TargetingService(
    f.sites as unknown as SiteTargetsRepository,
    f.groups as unknown as SiteGroupsRepository,
    config,
  );
  return { targeting, calls: f.calls };
}

const county: Actor = { userId: 'u', role: 'dispatcher', siteId: 'c', sitePath: '/r/c/' };

describe('TargetingService.resolve', () => {
  it('expands all townships of the scope, reading one past the recipient limit', async () => {
    const { targeting, calls } = service();
    expect((await targeting.resolve(county, { all: true })).sort()).toEqual(['t1', 't2']);
    expect(calls).toEqual(['townships /r/c/ 11']);
  });

  it('adds the subtrees of named sites and group members once each, from disjoint roots', async () => {
    const { targeting, calls } = service();
    const ids = await targeting.resolve(county, {
      siteIds: ['t1', 'v1'],
      groupIds: ['g'],
      includeChildren: true,
    });
    expect(ids.sort()).toEqual(['t1', 'v1']);
    // v1 lies under t1 (named and a member of g): one root, one range scan
    expect(calls.at(-1)).toBe('subtrees /r/c/t1/ 11');
  });

  it('refuses a request naming too much before any lookup', async () => {
    const { targeting, calls } = service();
    await expect(targeting.resolve(county, { siteIds: ['t1', 't2'], groupIds: ['g', 'gx'] })).rejects.toThrow(
      expect.objectContaining({ code: 'too_large' }),
    );
    expect(calls).toEqual([]);
  });

  it('names unknown and out-of-scope targets, and stops there', async () => {
    const { targeting, calls } = service();
    await expect(targeting.resolve(county, { siteIds: ['t1', 'nope'], groupIds: ['g'] })).rejects.toThrow(
      expect.objectContaining({
        code: 'invalid',
        fields: [{ path: 'targets.siteIds.1', message: 'site nope does not exist' }],
      }),
    );
    expect(calls).toEqual(['paths t1,nope']);
    await expect(targeting.resolve(county, { groupIds: ['gx'] })).rejects.toThrow(
      expect.objectContaining({
        code: 'forbidden',
        message: 'targets.groupIds: site group gx is outside your scope',
      }),
    );
  });

  it('refuses the step that selects more recipients than the limit', async () => {
    const { targeting } = service(2);
    await expect(targeting.resolve(county, { siteIds: ['t1', 't2'], includeChildren: true })).rejects.toThrow(
      expect.objectContaining({
        code: 'too_large',
        message: expect.stringContaining('the sites with their children select more than 2 sites'),
      }),
    );
  });

  it('refuses targets that select no site', async () => {
    const { targeting } = service();
    const nobody: Actor = { ...county, siteId: 'v1', sitePath: '/r/c/t1/v1/' };
    await expect(targeting.resolve(nobody, { all: true })).rejects.toThrow(
      expect.objectContaining({ code: 'invalid', message: 'targets: the targets select no site' }),
    );
  });
});
