import { Body, Controller, Delete, Get, HttpCode, Put, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuditAction } from '../audit/audit-action.decorator';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import { Clock } from '../clock/clock';
import { DomainError, NotFoundError } from '../common/domain-error';
import { assertEndpointUrl, endpointFromPath } from '../common/endpoint-param';
import { SetMaintenanceBody } from './dto/set-maintenance.dto';
import { MaintenanceStore } from './maintenance-store.port';

const MAX_WINDOW_MS = 10_080 * 60_000;

/** Per-endpoint maintenance windows: the engine takes no action on such an endpoint until they end. */
@Controller('autoheal/maintenance')
export class MaintenanceController {
  constructor(
    private readonly maintenance: MaintenanceStore,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Get()
  async list() {
    return [...(await this.maintenance.active(this.clock.now())).values()];
  }

  @Roles('admin', 'operator')
  @Put()
  @AuditAction('autoheal_maintenance_set', { resourceType: 'endpoint' })
  set(@Body() body: SetMaintenanceBody, @CurrentUser() user: AuthenticatedUser) {
    const now = this.clock.now();
    const until = body.until ? new Date(body.until) : new Date(now.getTime() + (body.minutes ?? 0) * 60_000);
    if (until <= now) throw new DomainError('invalid_until', `until must be in the future (got ${until.toISOString()})`);
    if (until.getTime() - now.getTime() > MAX_WINDOW_MS) {
      throw new DomainError('invalid_until', `until must be within 7 days (10080 minutes); a longer silence is a decision for the rules file or the kill switch`);
    }
    return this.maintenance.set(assertEndpointUrl(body.endpoint), until, body.reason ?? null, user.subject, now);
  }

  @Roles('admin', 'operator')
  @Delete('*endpoint')
  @HttpCode(204)
  @AuditAction('autoheal_maintenance_clear', { resourceType: 'endpoint', resourceIdParam: 'endpoint' })
  async clear(@Req() req: Request): Promise<void> {
    const endpoint = endpointFromPath(req, '/autoheal/maintenance/');
    if (!(await this.maintenance.clear(endpoint))) throw new NotFoundError('Maintenance window for', endpoint);
  }
}
