import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  EscalateRecipientRequestSchema,
  ResendDirectiveRequestSchema,
  type EscalateRecipientRequest,
  type EscalateRecipientResponse,
  type ResendDirectiveRequest,
  type ResendDirectiveResponse,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ZodPipe } from '#platform';
import { RecipientActionsService } from './recipient-actions.service.js';

/** The dispatcher board's 重发 and 升级 for recipients that have not acknowledged. */
@ApiTags('directives')
@ApiBearerAuth()
@Controller('api/v1/directives/:id')
export class RecipientActionsController {
  constructor(private readonly actions: RecipientActionsService) {}

  @Post('resend')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiBody({ schema: z.toJSONSchema(ResendDirectiveRequestSchema) as object })
  resend(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(ResendDirectiveRequestSchema)) body: ResendDirectiveRequest,
  ): Promise<ResendDirectiveResponse> {
    return this.actions.resend(actor, id, body.siteIds);
  }

  @Post('escalate')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiBody({ schema: z.toJSONSchema(EscalateRecipientRequestSchema) as object })
  escalate(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body(new ZodPipe(EscalateRecipientRequestSchema)) body: EscalateRecipientRequest,
  ): Promise<EscalateRecipientResponse> {
    return this.actions.escalate(actor, id, body.siteId);
  }
}
