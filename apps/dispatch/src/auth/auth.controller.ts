import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { LoginRequestSchema, type LoginRequest, type LoginResponse, type UserView } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, Public, ZodPipe } from '#platform';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';

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
  @ApiBody({ schema: z.toJSONSchema(LoginRequestSchema) as object })
  login(@Body(new ZodPipe(LoginRequestSchema)) body: LoginRequest, @Ip() ip: string): Promise<LoginResponse> {
    return this.auth.login(body, ip);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentActor() actor: Actor): Promise<UserView> {
    return this.users.get(actor, actor.userId);
  }
}
