import { Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { LOGIN_RESPONSE, USER_VIEW } from '#contracts';
import { LoginRequestSchema, type LoginRequest, type LoginResponse, type UserView } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, Public, ValidBody } from '#platform';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import { JsonOnlyGuard } from './json-only.guard.js';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  @UseGuards(JsonOnlyGuard)
  @ApiOkResponse({ description: 'a bearer token and the signed-in user', schema: LOGIN_RESPONSE })
  login(@ValidBody(LoginRequestSchema) body: LoginRequest, @Ip() ip: string): Promise<LoginResponse> {
    return this.auth.login(body, ip);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ description: 'the signed-in user', schema: USER_VIEW })
  me(@CurrentActor() actor: Actor): Promise<UserView> {
    return this.users.get(actor, actor.userId);
  }
}
