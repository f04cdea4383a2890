import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { NotFoundError } from '../common/domain-error';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { TenantThrottleDto, ThrottleListDto } from './dto/throttle-response.dto';
import { TenantThrottles, ThrottleView } from './tenant-throttles.service';

export interface ThrottleList {
  throttles: ThrottleView[];
}

/** A tenant's throttle, or factor 1 with no end when it is not throttled. */
export interface TenantThrottleState {
  tenant_id: string;
  factor: number;
  until: string | null;
  reason: string | null;
  set_by?: string;
  created_at?: string;
}

/** Dispatchers (ingest tokens) read them to slow a flooding tenant down; operators lift them. */
@Controller('autoheal/throttles')
export class ThrottlesController {
  constructor(private readonly throttles: TenantThrottles) {}

  @Roles('admin', 'operator', 'ingest')
  @Get()
  async list(@CallerScope() scope: TenantScope): Promise<ThrottleListDto> {
    return { throttles: await this.throttles.list(undefined, scope.filter()) };
  }

  /** An unthrottled tenant answers factor 1 (send as usual), so a dispatcher can poll it without a 404 path. */
  @Roles('admin', 'operator', 'ingest')
  @Get(':tenant_id')
  @ApiErrors(404)
  async get(@Param('tenant_id') tenantId: string, @CallerScope() scope: TenantScope): Promise<TenantThrottleDto> {
    if (!scope.allows(tenantId)) throw new NotFoundError('Tenant', tenantId);
    const throttle = await this.throttles.get(tenantId);
    return throttle ?? { tenant_id: tenantId, factor: 1, until: null, reason: null };
  }

  @Roles('admin', 'operator')
  @Delete(':tenant_id')
  @HttpCode(204)
  @AuditAction('autoheal_throttle_lift', { resourceType: 'tenant', resourceIdParam: 'tenant_id' })
  @ApiErrors(404)
  async lift(@Param('tenant_id') tenantId: string, @CurrentUser() user: AuthenticatedUser): Promise<void> {
    if (!user.scope.allows(tenantId) || !(await this.throttles.lift(tenantId, user.subject))) {
      throw new NotFoundError('Throttle of tenant', tenantId);
    }
  }
}
