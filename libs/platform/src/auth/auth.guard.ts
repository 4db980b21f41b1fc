import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { hasPermission, type Actor, type Permission } from '#domain';
import { DomainError } from '../http/domain-error.js';
import { ActorResolver } from './actor-resolver.js';
import { PERMISSION_KEY, PUBLIC_KEY } from './decorators.js';

/** Global HTTP guard: authenticated unless @Public, and the role must hold the route's permission. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly actors: ActorResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const actor = await this.actors.fromToken(token);
    req.actor = actor;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (permission && !hasPermission(actor.role, permission)) {
      throw new DomainError('forbidden', `role ${actor.role} may not ${permission}`);
    }
    return true;
  }
}
