import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators';
import { AuditEntry, AuditLog } from './audit-log.port';
import { AuditQueryDto } from './dto/audit-query.dto';

@Controller('operator/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  /** Newest first. */
  @Roles('admin', 'operator')
  @Get()
  list(@Query() query: AuditQueryDto): Promise<AuditEntry[]> {
    return this.audit.query({
      action: query.action,
      tenant_id: query.tenant_id,
      since: query.since ? new Date(query.since) : undefined,
      limit: query.limit,
    });
  }
}
