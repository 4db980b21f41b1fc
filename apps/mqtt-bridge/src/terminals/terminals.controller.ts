import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  CreateTerminalRequestSchema,
  TERMINAL_ID_PATTERN,
  TerminalTestCallRequestSchema,
  type CreateTerminalRequest,
  type TerminalCredentials,
  type TerminalTestCallRequest,
  type TerminalView,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ZodPipe } from '#platform';
import { TerminalsService, type TerminalMessageView } from './terminals.service.js';

const TerminalIdSchema = z.string().regex(TERMINAL_ID_PATTERN, 'not a terminal id');
const ListQuerySchema = z.object({ siteId: z.uuid().optional() });

@ApiTags('terminals')
@ApiBearerAuth()
@Controller('api/v1/terminals')
export class TerminalsController {
  constructor(private readonly terminals: TerminalsService) {}

  /** Provisions a terminal. The secret in the answer is shown this once. */
  @Post()
  @RequirePermission('terminal.manage')
  @ApiBody({ schema: z.toJSONSchema(CreateTerminalRequestSchema) as object })
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(CreateTerminalRequestSchema)) body: CreateTerminalRequest,
  ): Promise<TerminalCredentials> {
    return this.terminals.create(actor, body);
  }

  /** Terminals in the actor's scope, with presence, telemetry and last seen. */
  @Get()
  @RequirePermission('terminal.read')
  list(
    @CurrentActor() actor: Actor,
    @Query(new ZodPipe(ListQuerySchema)) query: { siteId?: string },
  ): Promise<TerminalView[]> {
    return this.terminals.list(actor, query.siteId);
  }

  @Post('test-calls')
  @RequirePermission('terminal.manage')
  @ApiBody({ schema: z.toJSONSchema(TerminalTestCallRequestSchema, { io: 'input' }) as object })
  testCall(
    @CurrentActor() actor: Actor,
    @Body(new ZodPipe(TerminalTestCallRequestSchema)) body: TerminalTestCallRequest,
  ): Promise<{ directiveId: string; terminals: number }> {
    return this.terminals.testCall(actor, body);
  }

  @Get(':id')
  @RequirePermission('terminal.read')
  get(
    @CurrentActor() actor: Actor,
    @Param('id', new ZodPipe(TerminalIdSchema)) id: string,
  ): Promise<TerminalView> {
    return this.terminals.get(actor, id);
  }

  /** The latest messages to this terminal and where each stands (queued … acknowledged). */
  @Get(':id/messages')
  @RequirePermission('terminal.read')
  messages(
    @CurrentActor() actor: Actor,
    @Param('id', new ZodPipe(TerminalIdSchema)) id: string,
  ): Promise<TerminalMessageView[]> {
    return this.terminals.messages(actor, id);
  }

  /** A new secret; the old one stops working at once. */
  @Post(':id/rotate')
  @HttpCode(200)
  @RequirePermission('terminal.manage')
  rotate(
    @CurrentActor() actor: Actor,
    @Param('id', new ZodPipe(TerminalIdSchema)) id: string,
  ): Promise<TerminalCredentials> {
    return this.terminals.rotate(actor, id);
  }

  /** The terminal can no longer connect; one that is connected is disconnected. */
  @Post(':id/revoke')
  @HttpCode(200)
  @RequirePermission('terminal.manage')
  revoke(
    @CurrentActor() actor: Actor,
    @Param('id', new ZodPipe(TerminalIdSchema)) id: string,
  ): Promise<TerminalView> {
    return this.terminals.revoke(actor, id);
  }
}
