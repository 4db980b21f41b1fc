import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuditEntryView, AuditVerifyResponse } from '#contracts';
import { AuditStore } from '#persistence';
import { RequirePermission, ZodPipe } from '#platform';

const ListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  afterSeq: z.coerce.number().int().min(0).optional(),
  subjectId: z.string().max(100).optional(),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditStore) {}

  @Get()
  @RequirePermission('audit.read')
  list(
    @Query(new ZodPipe(ListQuerySchema)) query: z.infer<typeof ListQuerySchema>,
  ): Promise<AuditEntryView[]> {
    return this.audit.list(query);
  }

  /** Recomputes the whole hash chain: any edited or removed row shows up here. */
  @Get('verify')
  @RequirePermission('audit.read')
  verify(): Promise<AuditVerifyResponse> {
    return this.audit.verify();
  }
}
