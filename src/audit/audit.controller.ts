import { Controller, Get, Query } from '@nestjs/common';
import { CallerScope, Roles } from '../auth/auth.decorators';
import type { TenantScope } from '../auth/tenant-scope';
import { AuditLog } from './audit-log.port';
import { AuditEntryDto } from './dto/audit-entry-response.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

@Controller('operator/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  /** Newest first. */
  @Roles('admin', 'operator')
  @Get()
  list(@Query() query: AuditQueryDto, @CallerScope() scope: TenantScope): Promise<AuditEntryDto[]> {
    return this.audit.query({
      action: query.action,
      tenant_id: query.tenant_id,
      tenant_ids: scope.filter(),
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
    });
  }
}
