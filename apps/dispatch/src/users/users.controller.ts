import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CreateUserRequestSchema, type CreateUserRequest, type UserView } from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ZodPipe } from '#platform';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequirePermission('user.create')
  @ApiBody({ schema: z.toJSONSchema(CreateUserRequestSchema) as object })
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(CreateUserRequestSchema)) body: CreateUserRequest,
  ): Promise<UserView> {
    return this.users.create(actor, body);
  }

  @Get()
  @RequirePermission('user.read')
  list(@CurrentActor() actor: Actor): Promise<UserView[]> {
    return this.users.list(actor);
  }

  @Get(':id')
  @RequirePermission('user.read')
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }
}
