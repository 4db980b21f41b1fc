import { Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { USER_VIEW } from '#contracts';
import {
  CreateUserRequestSchema,
  UpdateUserRequestSchema,
  type CreateUserRequest,
  type UpdateUserRequest,
  type UserView,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody } from '#platform';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequirePermission('user.create')
  @ApiCreatedResponse({ description: 'the user created (never the password)', schema: USER_VIEW })
  create(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateUserRequestSchema) body: CreateUserRequest,
  ): Promise<UserView> {
    return this.users.create(actor, body);
  }

  @Get()
  @RequirePermission('user.read')
  @ApiOkResponse({ description: "users in the caller's scope", schema: { type: 'array', items: USER_VIEW } })
  list(@CurrentActor() actor: Actor): Promise<UserView[]> {
    return this.users.list(actor);
  }

  @Get(':id')
  @RequirePermission('user.read')
  @ApiOkResponse({ description: 'one user', schema: USER_VIEW })
  get(@CurrentActor() actor: Actor, @Param('id', new ParseUUIDPipe()) id: string): Promise<UserView> {
    return this.users.get(actor, id);
  }

  /** Disable or enable a user, change their role or site; audited, and reaches open sockets at once. */
  @Patch(':id')
  @RequirePermission('user.manage')
  @ApiOkResponse({ description: 'the user as changed', schema: USER_VIEW })
  update(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(UpdateUserRequestSchema) body: UpdateUserRequest,
  ): Promise<UserView> {
    return this.users.update(actor, id, body);
  }
}
