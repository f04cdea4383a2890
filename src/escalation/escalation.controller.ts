import { BadRequestException, Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { EscalationDto } from './dto/escalation-response.dto';
import { ListEscalationsDto } from './dto/list-escalations.dto';
import { EscalationService } from './escalation.service';

const EscalationId = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id: must be a UUID') }));

@Controller('autoheal/escalations')
export class EscalationController {
  constructor(
    private readonly escalations: EscalationService,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Get()
  list(@Query() query: ListEscalationsDto, @CallerScope() scope: TenantScope): Promise<EscalationDto[]> {
    return this.escalations.list({ status: query.status, tenantIds: scope.filter(), limit: query.limit });
  }

  @Roles('admin', 'operator')
  @AuditAction('escalation_acknowledge', { resourceType: 'escalation', resourceIdParam: 'id' })
  @Post(':id/ack')
  @HttpCode(HttpStatus.OK)
  @ApiErrors(404, 409)
  async acknowledge(@EscalationId() id: string, @CurrentUser() user: AuthenticatedUser): Promise<EscalationDto> {
    await user.scope.assertSees('Escalation', id, () => this.escalations.find(id));
    return this.escalations.acknowledge(id, user.subject, this.clock.now());
  }

  @Roles('admin', 'operator')
  @AuditAction('escalation_resolve', { resourceType: 'escalation', resourceIdParam: 'id' })
  @Post(':id/resolve')
  @HttpCode(HttpStatus.OK)
  @ApiErrors(404, 409)
  async resolve(@EscalationId() id: string, @CurrentUser() user: AuthenticatedUser): Promise<EscalationDto> {
    await user.scope.assertSees('Escalation', id, () => this.escalations.find(id));
    return this.escalations.resolve(id, user.subject, this.clock.now());
  }
}
