import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { ApprovalDecisionDto, ApprovalListDto } from './dto/incident-response.dto';
import { ListApprovalsQuery, OperatorNoteBody } from './dto/incidents.dto';
import { Approval, ApprovalDecisionKind, IncidentRecord } from './incident';
import { IncidentStore } from './incident-store.port';
import { UuidParam } from './incidents.controller';

/** Top-level tenant_id lets the audit trail name the tenant. */
type DecisionView = Approval & { incident: IncidentRecord };

@Controller('autoheal/approvals')
export class ApprovalsController {
  constructor(
    private readonly incidents: IncidentStore,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Get()
  async list(@Query() query: ListApprovalsQuery, @CallerScope() scope: TenantScope): Promise<ApprovalListDto> {
    return { approvals: await this.incidents.listApprovals({ status: query.status, tenantIds: scope.filter(), limit: query.limit }) };
  }

  @Roles('admin', 'operator')
  @AuditAction('approval_approve', { resourceType: 'approval', resourceIdParam: 'id' })
  @Post(':id/approve')
  @HttpCode(HttpStatus.OK)
  @ApiErrors(404, 409)
  approve(@UuidParam() id: string, @Body() body: OperatorNoteBody, @CurrentUser() user: AuthenticatedUser): Promise<ApprovalDecisionDto> {
    return this.decide(id, 'approve', body, user);
  }

  @Roles('admin', 'operator')
  @AuditAction('approval_reject', { resourceType: 'approval', resourceIdParam: 'id' })
  @Post(':id/reject')
  @HttpCode(HttpStatus.OK)
  @ApiErrors(404, 409)
  reject(@UuidParam() id: string, @Body() body: OperatorNoteBody, @CurrentUser() user: AuthenticatedUser): Promise<ApprovalDecisionDto> {
    return this.decide(id, 'reject', body, user);
  }

  private async decide(id: string, decision: ApprovalDecisionKind, body: OperatorNoteBody, user: AuthenticatedUser): Promise<DecisionView> {
    await user.scope.assertSees('Approval', id, () => this.incidents.getApproval(id));
    const { approval, incident } = await this.incidents.decideApproval(id, decision, {
      actor: user.subject,
      note: body.note ?? null,
      now: this.clock.now(),
    });
    return { ...approval, incident };
  }
}
