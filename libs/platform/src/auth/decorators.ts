import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Actor, Permission } from '#domain';

export const PUBLIC_KEY = 'yihu:public';
export const PERMISSION_KEY = 'yihu:permission';

/** The route needs no token (login, health, metrics). Everything else does. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The route needs this permission; site scope is then checked by the service. */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<{ actor?: Actor }>().actor;
  if (!actor) throw new Error('CurrentActor used on a public route');
  return actor;
});
