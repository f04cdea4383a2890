import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CallerScope, CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import type { TenantScope } from '../auth/tenant-scope';
import { NotFoundError } from '../common/domain-error';
import { OutageTrigger } from '../recovery/outage-trigger.service';
import { OperatorResend, ResendView } from '../replay/operator-resend.service';
import { DeliveryBatchPipe } from './delivery-batch.pipe';
import { DeliveryDetail, DeliveryOutcome, DeliveryRecord, DeliveryStore, UpsertResult } from './delivery-store.port';
import { toDeliveryDetailView, toDeliveryView } from './delivery.view';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';
import { TenantThrottles, ThrottleView } from '../throttles/tenant-throttles.service';

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
  async record(
    @Body(DeliveryBatchPipe) items: DeliveryOutcome[],
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<UpsertResult & { throttles?: ThrottleView[] }> {
    items.forEach((item, index) => user.scope.assert(item.tenant_id, `[${index}].tenant_id`));
    const result = await this.store.upsertBatch(items, user.subject);
    this.outages.afterIngest(items);
    // Only when one of the batch's tenants is throttled (RATE_LIMIT_SOURCE): the dispatcher slows it down.
    const throttles = await this.throttles.forTenants(items.map((item) => item.tenant_id)).catch(() => []);
    return throttles.length > 0 ? { ...result, throttles } : result;
  }

  @Get()
  @Roles('admin', 'operator', 'viewer')
  async list(@Query() query: ListDeliveriesQuery, @CallerScope() scope: TenantScope): Promise<DeliveryRecord[]> {
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
  async get(@Param('id') id: string, @CallerScope() scope: TenantScope): Promise<DeliveryDetail> {
    const delivery = scope.visible(await this.store.findById(id));
    if (!delivery) throw new NotFoundError('Delivery', id);
    return toDeliveryDetailView(delivery);
  }

  /** Sends one failed, dead-lettered or abandoned delivery again now; 409 while a send of it is in flight. */
  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  @Roles('admin', 'operator')
  @AuditAction('delivery_replay', { resourceType: 'delivery', resourceIdParam: 'id' })
  async replay(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser): Promise<ResendView> {
    // Another tenant's delivery is as unknown to a scoped token as a missing one.
    if (!user.scope.visible(await this.store.findById(id))) throw new NotFoundError('Delivery', id);
    return this.resender.resend(id, user.subject);
  }
}
