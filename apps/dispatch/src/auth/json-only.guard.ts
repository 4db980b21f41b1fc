import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request } from 'express';

/**
 * Login takes JSON only. A form post (application/x-www-form-urlencoded) is what a
 * cross-site HTML form can send without a preflight; refusing it keeps login out of reach
 * of other origins' pages. A guard, so the answer is 415 before the body is validated.
 */
@Injectable()
export class JsonOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (!req.is('application/json'))
      throw new UnsupportedMediaTypeException('this endpoint accepts Content-Type: application/json only');
    return true;
  }
}
