import { Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { MAX_CAP_BYTES } from '#cap';
import {
  CAP_CONTENT_TYPES,
  CancelWarningRequestSchema,
  CreateWarningRequestSchema,
  ListWarningsQuerySchema,
  PublishWarningRequestSchema,
  RejectWarningRequestSchema,
  UpdateWarningRequestSchema,
  WARNING_COVERAGE_VIEW,
  WARNING_CREATED_VIEW,
  WARNING_SUMMARY_VIEW,
  WARNING_VIEW,
  type CancelWarningRequest,
  type CreateWarningRequest,
  type ListWarningsQuery,
  type PublishWarningRequest,
  type RejectWarningRequest,
  type UpdateWarningRequest,
} from '#contracts';
import type { Actor } from '#domain';
import { CurrentActor, RequirePermission, ValidBody, ValidQuery } from '#platform';
import { WarningCap } from './warning-cap.service.js';
import { WarningPublication } from './warning-publication.service.js';
import { WarningsService } from './warnings.service.js';
import { readXmlBody } from './cap/xml-body.js';

const id = () => Param('id', new ParseUUIDPipe());

/** The feed's links: the request's host when it looks like one, else a placeholder. */
function baseUrlOf(req: Request): string {
  const host = req.get('host') ?? '';
  return `${req.protocol}://${/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) ? host : 'localhost'}`;
}

/**
 * 预警信息发布 (docs/warnings.md). Thin: validate, then the services. Who may take a step is
 * decided in libs/domain/src/warnings.ts (editors: dispatchers and up; sign-off, updates,
 * cancellations: commanders; emergency publication: commanders only).
 */
@ApiTags('warnings')
@ApiBearerAuth()
@Controller('api/v1/warnings')
export class WarningsController {
  constructor(
    private readonly warnings: WarningsService,
    private readonly publication: WarningPublication,
    private readonly cap: WarningCap,
  ) {}

  @Post()
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({
    description: 'the draft, with its GB/T 35965.1 identifier',
    schema: WARNING_CREATED_VIEW,
  })
  create(@CurrentActor() actor: Actor, @ValidBody(CreateWarningRequestSchema) body: CreateWarningRequest) {
    return this.warnings.create(actor, body);
  }

  @Get()
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'warnings in your scope, newest first',
    schema: { type: 'array', items: WARNING_SUMMARY_VIEW },
  })
  list(@CurrentActor() actor: Actor, @ValidQuery(ListWarningsQuerySchema) query: ListWarningsQuery) {
    return this.warnings.list(actor, query);
  }

  /** Authenticated (see docs/warnings.md): the active published warnings the reader may see. */
  @Get('feed.atom')
  @RequirePermission('directive.read')
  @Header('Content-Type', 'application/atom+xml; charset=utf-8')
  @ApiProduces('application/atom+xml')
  @ApiOkResponse({
    description: 'an Atom feed of active published warnings, each linking its CAP',
    schema: { type: 'string', description: 'Atom (RFC 4287) XML' },
  })
  feed(@CurrentActor() actor: Actor, @Req() req: Request) {
    return this.cap.feed(actor, baseUrlOf(req));
  }

  /** A CAP 1.2 alert (XML body, at most MAX_CAP_BYTES) as a draft for review. */
  @Post('import')
  @RequirePermission('directive.issue')
  // the document says the body is XML, so clients (and the fuzzer) send XML, not JSON
  @ApiConsumes(...CAP_CONTENT_TYPES)
  @ApiBody({ description: 'a CAP 1.2 alert, UTF-8, at most 256 KiB', schema: { type: 'string' } })
  @ApiCreatedResponse({ description: 'the draft made from the alert', schema: WARNING_CREATED_VIEW })
  async import(@CurrentActor() actor: Actor, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.cap.import(actor, await readXmlBody(req, res, MAX_CAP_BYTES));
  }

  @Get(':id')
  @RequirePermission('directive.read')
  @ApiOkResponse({ description: 'the warning with every step of its workflow', schema: WARNING_VIEW })
  get(@CurrentActor() actor: Actor, @id() warningId: string) {
    return this.warnings.get(actor, warningId);
  }

  @Get(':id/cap')
  @RequirePermission('directive.read')
  @Header('Content-Type', 'application/xml; charset=utf-8')
  @ApiProduces('application/xml')
  @ApiOkResponse({
    description: 'the warning as a CAP 1.2 alert',
    schema: { type: 'string', description: 'CAP 1.2 XML (urn:oasis:names:tc:emergency:cap:1.2)' },
  })
  capXml(@CurrentActor() actor: Actor, @id() warningId: string) {
    return this.cap.xml(actor, warningId);
  }

  @Get(':id/coverage')
  @RequirePermission('directive.read')
  @ApiOkResponse({
    description: 'who was reached, on which channel, how fast',
    schema: WARNING_COVERAGE_VIEW,
  })
  coverage(@CurrentActor() actor: Actor, @id() warningId: string) {
    return this.warnings.coverage(actor, warningId);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: 'in review', schema: WARNING_VIEW })
  submit(@CurrentActor() actor: Actor, @id() warningId: string) {
    return this.warnings.submit(actor, warningId);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: 'signed off (签发)', schema: WARNING_VIEW })
  approve(@CurrentActor() actor: Actor, @id() warningId: string) {
    return this.warnings.approve(actor, warningId);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: 'back to draft with the reason', schema: WARNING_VIEW })
  reject(
    @CurrentActor() actor: Actor,
    @id() warningId: string,
    @ValidBody(RejectWarningRequestSchema) body: RejectWarningRequest,
  ) {
    return this.warnings.reject(actor, warningId, body.reason);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @RequirePermission('directive.issue')
  @ApiOkResponse({ description: 'published on every channel as a linked directive', schema: WARNING_VIEW })
  publish(
    @CurrentActor() actor: Actor,
    @id() warningId: string,
    @ValidBody(PublishWarningRequestSchema) body: PublishWarningRequest,
  ) {
    return this.publication.publish(actor, warningId, body.emergency ?? false);
  }

  @Post(':id/update')
  @HttpCode(201)
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({ description: 'the new message (msgType Update)', schema: WARNING_VIEW })
  update(
    @CurrentActor() actor: Actor,
    @id() warningId: string,
    @ValidBody(UpdateWarningRequestSchema) body: UpdateWarningRequest,
  ) {
    return this.publication.update(actor, warningId, body);
  }

  @Post(':id/cancel')
  @HttpCode(201)
  @RequirePermission('directive.issue')
  @ApiCreatedResponse({ description: 'the new message (msgType Cancel)', schema: WARNING_VIEW })
  cancel(
    @CurrentActor() actor: Actor,
    @id() warningId: string,
    @ValidBody(CancelWarningRequestSchema) body: CancelWarningRequest,
  ) {
    return this.publication.cancel(actor, warningId, body.reason);
  }
}
