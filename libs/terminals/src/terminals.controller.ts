import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TERMINAL_CREDENTIALS, TERMINAL_MESSAGE_VIEW, TERMINAL_VIEW, TEST_CALL_RESPONSE } from '#contracts';
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
import { CurrentActor, RequirePermission, ValidBody, ValidQuery, ZodPipe } from '#platform';
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
  @ApiCreatedResponse({
    description: "the terminal's MQTT credentials; the secret is shown only here",
    schema: TERMINAL_CREDENTIALS,
  })
  create(
    @CurrentActor() actor: Actor,
    @ValidBody(CreateTerminalRequestSchema) body: CreateTerminalRequest,
  ): Promise<TerminalCredentials> {
    return this.terminals.create(actor, body);
  }

  /** Terminals in the actor's scope, with presence, telemetry and last seen. */
  @Get()
  @RequirePermission('terminal.read')
  @ApiOkResponse({
    description: "terminals in the caller's scope with presence and telemetry",
    schema: { type: 'array', items: TERMINAL_VIEW },
  })
  list(
    @CurrentActor() actor: Actor,
    @ValidQuery(ListQuerySchema) query: { siteId?: string },
  ): Promise<TerminalView[]> {
    return this.terminals.list(actor, query.siteId);
  }

  @Post('test-calls')
  @RequirePermission('terminal.manage')
  @ApiCreatedResponse({
    description: 'the test call (a drill directive) and how many terminals it reaches',
    schema: TEST_CALL_RESPONSE,
  })
  testCall(
    @CurrentActor() actor: Actor,
    @ValidBody(TerminalTestCallRequestSchema, { io: 'input' }) body: TerminalTestCallRequest,
  ): Promise<{ directiveId: string; terminals: number }> {
    return this.terminals.testCall(actor, body);
  }

  @Get(':id')
  @RequirePermission('terminal.read')
  @ApiOkResponse({ description: 'one terminal', schema: TERMINAL_VIEW })
  get(
    @CurrentActor() actor: Actor,
    @Param('id', new ZodPipe(TerminalIdSchema)) id: string,
  ): Promise<TerminalView> {
    return this.terminals.get(actor, id);
  }

  /** The latest messages to this terminal and where each stands (queued … acknowledged). */
  @Get(':id/messages')
  @RequirePermission('terminal.read')
  @ApiOkResponse({
    description: 'messages sent to the terminal, newest first, with their delivery state',
    schema: { type: 'array', items: TERMINAL_MESSAGE_VIEW },
  })
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
  @ApiOkResponse({
    description: 'the new credentials; the old secret no longer connects',
    schema: TERMINAL_CREDENTIALS,
  })
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
  @ApiOkResponse({ description: 'the revoked terminal', schema: TERMINAL_VIEW })
  revoke(
    @CurrentActor() actor: Actor,
    @Param('id', new ZodPipe(TerminalIdSchema)) id: string,
  ): Promise<TerminalView> {
    return this.terminals.revoke(actor, id);
  }
}
