import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { NotFoundError } from '../common/domain-error';
import { OutageTrigger } from '../recovery/outage-trigger.service';
import { ApiErrors } from '../openapi/api-responses.decorator';
import { OperatorResend } from '../replay/operator-resend.service';
import { DeliveryBatchBody, DeliveryBatchPipe } from './delivery-batch.pipe';
import { DeliveryOutcome, DeliveryStore } from './delivery-store.port';
import { toDeliveryDetailView, toDeliveryView } from './delivery.view';
import { DeliveryDetailDto, DeliveryDto, ResendDto, UpsertResultDto } from './dto/delivery-response.dto';
import { DeliveryOutcomeDto } from './dto/delivery-outcome.dto';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import { TenantThrottles } from '../throttles/tenant-throttles.service';

@Controller('deliveries')
export class DeliveriesController {
  constructor(
    private readonly store: DeliveryStore,
    private readonly outages: OutageTrigger,
    private readonly resender: OperatorResend,
    private readonly throttles: TenantThrottles,
  ) {}

  /**
   * The dispatcher reports 1..1000 outcomes; re-posting an id updates it. A scoped token writes only its tenants.
   * Failures that cross the outage signal open their incident right away (never failing the ingest).
   */
  @Post()
  @HttpCode(HttpStatus.OK)
  @Roles('ingest', 'admin')
  @ApiBody({ type: [DeliveryOutcomeDto], description: '1..1000 outcomes' })
  @ApiErrors(409, 413)
  async record(
    @DeliveryBatchBody(DeliveryBatchPipe) items: DeliveryOutcome[],
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<UpsertResultDto> {
    items.forEach((item, index) => user.scope.assert(item.tenant_id, `[${index}].tenant_id`));
    const result = await this.store.upsertBatch(items, user.subject);
    this.outages.afterIngest(items);
    // Only when one of the batch's tenants is throttled (RATE_LIMIT_SOURCE): the dispatcher slows it down.
    const throttles = await this.throttles.forTenants(items.map((item) => item.tenant_id)).catch(() => []);
    return throttles.length > 0 ? { ...result, throttles } : result;
  }

  @Get()
  @Roles('admin', 'operator', 'viewer')
  async list(@Query() query: ListDeliveriesQuery, @CallerScope() scope: TenantScope): Promise<DeliveryDto[]> {
    const deliveries = await this.store.list({
      tenant_id: query.tenant_id,
      tenant_ids: scope.filter(),
      target: query.target,
      status: query.status,
      since: query.since === undefined ? undefined : new Date(query.since),
      limit: query.limit,
    });
    return deliveries.map(toDeliveryView);
  }

  @Get(':id')
  @Roles('admin', 'operator', 'viewer')
  @ApiErrors(404)
  async get(@Param('id') id: string, @CallerScope() scope: TenantScope): Promise<DeliveryDetailDto> {
    const delivery = scope.visible(await this.store.findById(id));
    if (!delivery) throw new NotFoundError('Delivery', id);
    return toDeliveryDetailView(delivery);
  }

  /** Sends one failed, dead-lettered or abandoned delivery again now; 409 while a send of it is in flight. */
  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  @Roles('admin', 'operator')
  @AuditAction('delivery_replay', { resourceType: 'delivery', resourceIdParam: 'id' })
  @ApiErrors(404, 409)
  async replay(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser): Promise<ResendDto> {
    // Another tenant's delivery is as unknown to a scoped token as a missing one.
    if (!user.scope.visible(await this.store.findById(id))) throw new NotFoundError('Delivery', id);
    return this.resender.resend(id, user.subject);
  }
}
