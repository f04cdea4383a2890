import { BadRequestException, Body, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { NotFoundError } from '../common/domain-error';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { IncidentDetailDto, IncidentDto, IncidentListDto } from './dto/incident-response.dto';
import { ListIncidentsQuery, OperatorNoteBody } from './dto/incidents.dto';
import { IncidentStore } from './incident-store.port';

export const UuidParam = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id: must be a UUID') }));

@Controller('autoheal/incidents')
export class IncidentsController {
  constructor(
    private readonly incidents: IncidentStore,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Get()
  async list(@Query() query: ListIncidentsQuery, @CallerScope() scope: TenantScope): Promise<IncidentListDto> {
    const incidents = await this.incidents.list({
      state: query.state,
      tenantId: query.tenant_id,
      tenantIds: scope.filter(),
      limit: query.limit,
    });
    return { incidents };
  }

  @Roles('admin', 'operator')
  @Get(':id')
  @ApiErrors(404)
  async get(@UuidParam() id: string, @CallerScope() scope: TenantScope): Promise<IncidentDetailDto> {
    const incident = scope.visible(await this.incidents.get(id));
    if (!incident) throw new NotFoundError('Incident', id);
    return incident;
  }

  @Roles('admin', 'operator')
  @AuditAction('incident_resolve', { resourceType: 'incident', resourceIdParam: 'id' })
  @Post(':id/resolve')
  @HttpCode(HttpStatus.OK)
  @ApiErrors(404, 409)
  async resolve(@UuidParam() id: string, @Body() body: OperatorNoteBody, @CurrentUser() user: AuthenticatedUser): Promise<IncidentDto> {
    await user.scope.assertSees('Incident', id, () => this.incidents.get(id));
    return this.incidents.resolve(id, user.subject, body.note ?? null, this.clock.now());
  }
}
