import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ESCALATE_RESPONSE, RESEND_RESPONSE } from '#contracts';
import {
  EscalateRecipientRequestSchema,
  ResendDirectiveRequestSchema,
  type EscalateRecipientRequest,
  type EscalateRecipientResponse,
  type ResendDirectiveRequest,
  type ResendDirectiveResponse,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody } from '#platform';
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
  @ApiOkResponse({
    description: 'how many recipients the directive was sent to again',
    schema: RESEND_RESPONSE,
  })
  resend(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(ResendDirectiveRequestSchema) body: ResendDirectiveRequest,
  ): Promise<ResendDirectiveResponse> {
    return this.actions.resend(actor, id, body.siteIds);
  }

  @Post('escalate')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: 'the escalation level the site is at now', schema: ESCALATE_RESPONSE })
  escalate(
    @CurrentActor() actor: Actor,
    @Param('id', new ParseUUIDPipe()) id: string,
    @ValidBody(EscalateRecipientRequestSchema) body: EscalateRecipientRequest,
  ): Promise<EscalateRecipientResponse> {
    return this.actions.escalate(actor, id, body.siteId);
  }
}
