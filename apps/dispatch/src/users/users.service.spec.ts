import { describe, expect, it } from '@jest/globals';
import type { DataSource, Repository } from 'typeorm';
import type { Actor } from '#domain';
import type { AuditStore, SiteEntity, UserEntity } from '#persistence';
import { ActorResolver, DomainError } from '#platform';
import { SitesService } from '../sites/sites.service.js';
import { UsersService } from './users.service.js';

const county = { id: 'c', path: '/r/c/' } as SiteEntity;
const town = { id: 't', path: '/r/c/t/' } as SiteEntity;
const other = { id: 'o', path: '/r/o/' } as SiteEntity;
const user = (id: string, siteId: string) =>
  ({
    id,
    siteId,
    username: id,
    displayName: null,
    role: 'duty_officer',
    disabled: false,
    createdAt: new Date(0),
  }) as UserEntity;
const countyCommander: Actor = { userId: 'me', role: 'commander', siteId: 'c', sitePath: '/r/c/' };

/** UsersService over in-memory tables; `down` makes every read of the sites table fail as an outage would. */
function service(down = false): UsersService {
  const sites = [county, town, other];
  const outage = () => Promise.reject(new Error('Connection terminated unexpectedly'));
  const siteRepo = {
    findOneBy: ({ id }: { id: string }) =>
      down ? outage() : Promise.resolve(sites.find((s) => s.id === id) ?? null),
    findOneByOrFail: ({ id }: { id: string }) =>
      down ? outage() : Promise.resolve(sites.find((s) => s.id === id)!),
  } as unknown as Repository<SiteEntity>;
  const users = [user('u-town', 't'), user('u-other', 'o')];
  const userRepo = {
    findOneBy: ({ id }: { id: string }) => Promise.resolve(users.find((u) => u.id === id) ?? null),
  } as unknown as Repository<UserEntity>;
  const dataSource = { getRepository: () => siteRepo } as unknown as DataSource;
  const audit = {} as AuditStore;
  return new UsersService(
    userRepo,
    new SitesService(siteRepo, dataSource, audit),
    dataSource,
    audit,
    {} as ActorResolver,
  );
}

describe('UsersService.get', () => {
  it('shows a user at a site in scope, and refuses one outside it with 403', async () => {
    await expect(service().get(countyCommander, 'u-town')).resolves.toMatchObject({ id: 'u-town' });
    const refused = await service()
      .get(countyCommander, 'u-other')
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'forbidden' });
  });

  it('lets a database outage through as the error it is, never a 403', async () => {
    const failed = await service(true)
      .get(countyCommander, 'u-town')
      .catch((e: unknown) => e);
    expect(failed).not.toBeInstanceOf(DomainError);
    expect(failed).toMatchObject({ message: 'Connection terminated unexpectedly' });
  });
});
