import { Body, Controller, Delete, Get, HttpCode, Put, Req } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { DomainError, NotFoundError } from '../common/domain-error';
import { assertEndpointUrl, endpointFromPath } from '../common/endpoint-param';
import { EndpointOwnership } from '../deliveries/endpoint-ownership.service';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { MaintenanceWindowDto } from './dto/maintenance-response.dto';
import { SetMaintenanceBody } from './dto/set-maintenance.dto';
import { MaintenanceStore } from './maintenance-store.port';

const MAX_WINDOW_MS = 10_080 * 60_000;

@Controller('autoheal/maintenance')
export class MaintenanceController {
  constructor(
    private readonly maintenance: MaintenanceStore,
    private readonly clock: Clock,
    private readonly ownership: EndpointOwnership,
  ) {}

  @Roles('admin', 'operator')
  @Get()
  async list(@CallerScope() scope: TenantScope): Promise<MaintenanceWindowDto[]> {
    const windows = [...(await this.maintenance.active(this.clock.now())).values()];
    return this.ownership.only(scope, windows, (window) => window.endpoint);
  }

  @Roles('admin', 'operator')
  @Put()
  @AuditAction('autoheal_maintenance_set', { resourceType: 'endpoint' })
  async set(@Body() body: SetMaintenanceBody, @CurrentUser() user: AuthenticatedUser): Promise<MaintenanceWindowDto> {
    const endpoint = assertEndpointUrl(body.endpoint);
    const now = this.clock.now();
    const until = body.until ? new Date(body.until) : new Date(now.getTime() + (body.minutes ?? 0) * 60_000);
    if (until <= now) throw new DomainError('invalid_until', `until must be in the future (got ${until.toISOString()})`);
    if (until.getTime() - now.getTime() > MAX_WINDOW_MS) {
      throw new DomainError(
        'invalid_until',
        `until must be within 7 days (10080 minutes); a longer silence is a decision for the rules file or the kill switch`,
      );
    }
    await this.ownership.assert(user.scope, endpoint, 'a maintenance window on');
    return this.maintenance.set(endpoint, until, body.reason ?? null, user.subject, now);
  }

  @Roles('admin', 'operator')
  @Delete('*endpoint')
  @HttpCode(204)
  @AuditAction('autoheal_maintenance_clear', { resourceType: 'endpoint', resourceIdParam: 'endpoint' })
  @ApiParam({ name: 'endpoint', description: 'The webhook URL, URL-encoded or raw' })
  @ApiErrors(404)
  async clear(@Req() req: Request, @CallerScope() scope: TenantScope): Promise<void> {
    const endpoint = endpointFromPath(req, '/autoheal/maintenance/');
    await this.ownership.assert(scope, endpoint, 'clearing the maintenance window of');
    if (!(await this.maintenance.clear(endpoint))) throw new NotFoundError('Maintenance window for', endpoint);
  }
}
