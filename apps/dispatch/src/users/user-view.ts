import type { UserView } from '#contracts';
import type { UserEntity } from '#persistence';

/** The only shape in which a user leaves the server: never the password hash. */
export function toUserView(u: UserEntity): UserView {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    phone: u.phone ?? null,
    role: u.role,
    siteId: u.siteId,
    createdAt: u.createdAt.toISOString(),
    disabled: u.disabled,
  };
}
