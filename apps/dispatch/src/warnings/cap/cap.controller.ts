import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CapValidatorBusyError, MAX_CAP_BYTES, validateCap } from '#cap';
import { CAP_CONTENT_TYPES, CAP_VALIDATION_VIEW, type CapValidationView } from '#contracts';
import type { Actor } from '#domain';
import { CounterStore, CurrentActor, DomainError } from '#platform';
import { readXmlBody } from './xml-body.js';

/** Per user and minute: a schema check costs ~50 ms of a core, and the machine has two. */
export const CAP_VALIDATIONS_PER_MINUTE = 60;

/**
 * CAP 1.2 validation for anyone signed in (a duty officer checking a feed, a system about to
 * import): the same check the hub applies to what it imports and publishes (docs/cap.md).
 */
@ApiTags('warnings')
@ApiBearerAuth()
@Controller('api/v1/cap')
export class CapController {
  constructor(private readonly counters: CounterStore) {}

  @Post('validate')
  @HttpCode(200)
  @ApiConsumes(...CAP_CONTENT_TYPES)
  @ApiBody({ description: 'a CAP document, UTF-8, at most 256 KiB', schema: { type: 'string' } })
  @ApiOkResponse({
    description: 'whether the document is valid CAP 1.2, and why not',
    schema: CAP_VALIDATION_VIEW,
  })
  async validate(
    @CurrentActor() actor: Actor,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CapValidationView> {
    const { count, ttlSeconds } = await this.counters.hit(`cap-validate:${actor.userId}`, 60);
    if (count > CAP_VALIDATIONS_PER_MINUTE) {
      // the body is left unread; Node discards it before reusing the connection
      throw new DomainError(
        'rate_limited',
        `more than ${CAP_VALIDATIONS_PER_MINUTE} validations a minute`,
        undefined,
        ttlSeconds,
      );
    }
    const body = await readXmlBody(req, res, MAX_CAP_BYTES);
    try {
      return await validateCap(body);
    } catch (err) {
      if (err instanceof CapValidatorBusyError)
        throw new DomainError('rate_limited', err.message, undefined, 2);
      throw err;
    }
  }
}
