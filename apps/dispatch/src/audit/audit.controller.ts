import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AUDIT_ENTRY_VIEW, AUDIT_VERIFY_RESPONSE } from '#contracts';
import { z } from 'zod';
import type { AuditEntryView, AuditVerifyResponse } from '#contracts';
import { AuditStore } from '#persistence';
import { RequirePermission, ValidQuery } from '#platform';

const ListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  afterSeq: z.coerce.number().int().min(0).optional(),
  /** page backwards: the smallest seq of the page before */
  beforeSeq: z.coerce.number().int().min(1).optional(),
  subjectId: z.string().max(100).optional(),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditStore) {}

  @Get()
  @RequirePermission('audit.read')
  @ApiOkResponse({
    description: 'the newest audit entries (or those after afterSeq), oldest first',
    schema: { type: 'array', items: AUDIT_ENTRY_VIEW },
  })
  list(@ValidQuery(ListQuerySchema) query: z.infer<typeof ListQuerySchema>): Promise<AuditEntryView[]> {
    return this.audit.list(query);
  }

  /** Recomputes the whole hash chain and holds it against the anchored head: an edit, a re-hash or a cut tail shows here. */
  @Get('verify')
  @RequirePermission('audit.read')
  @ApiOkResponse({
    description: 'whether the hash chain is intact, and where it breaks if not',
    schema: AUDIT_VERIFY_RESPONSE,
  })
  verify(): Promise<AuditVerifyResponse> {
    return this.audit.verify();
  }
}
