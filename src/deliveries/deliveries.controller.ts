import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { AuditAction } from '../audit/audit-action.decorator';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import { NotFoundError } from '../common/domain-error';
import { OperatorResend, ResendView } from '../replay/operator-resend.service';
import { DeliveryBatchPipe } from './delivery-batch.pipe';
import { DeliveryDetail, DeliveryOutcome, DeliveryRecord, DeliveryStore, UpsertResult } from './delivery-store.port';
import { toDeliveryDetailView, toDeliveryView } from './delivery.view';
import { ListDeliveriesQuery } from './dto/list-deliveries.query';

@Controller('deliveries')
export class DeliveriesController {
  constructor(
    private readonly store: DeliveryStore,
    private readonly resender: OperatorResend,
  ) {}

  /** The dispatcher reports 1..1000 outcomes; re-posting an id updates it. */
  @Post()
  @HttpCode(HttpStatus.OK)
  @Roles('ingest', 'admin')
  record(@Body(DeliveryBatchPipe) items: DeliveryOutcome[], @CurrentUser() user: AuthenticatedUser): Promise<UpsertResult> {
    return this.store.upsertBatch(items, user.subject);
  }

  @Get()
  @Roles('admin', 'operator', 'viewer')
  async list(@Query() query: ListDeliveriesQuery): Promise<DeliveryRecord[]> {
    const deliveries = await this.store.list({
      tenant_id: query.tenant_id,
      target: query.target,
      status: query.status,
      since: query.since === undefined ? undefined : new Date(query.since),
      limit: query.limit,
    });
    return deliveries.map(toDeliveryView);
  }

  @Get(':id')
  @Roles('admin', 'operator', 'viewer')
  async get(@Param('id') id: string): Promise<DeliveryDetail> {
    const delivery = await this.store.findById(id);
    if (!delivery) throw new NotFoundError('Delivery', id);
    return toDeliveryDetailView(delivery);
  }

  /** Sends one failed, dead-lettered or abandoned delivery again now; 409 while a send of it is in flight. */
  @Post(':id/replay')
  @HttpCode(HttpStatus.OK)
  @Roles('admin', 'operator')
  @AuditAction('delivery_replay', { resourceType: 'delivery', resourceIdParam: 'id' })
  replay(@Param('id') id: string, @CurrentUser() user: AuthenticatedUser): Promise<ResendView> {
    return this.resender.resend(id, user.subject);
  }
}
