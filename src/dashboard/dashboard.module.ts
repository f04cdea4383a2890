import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { DashboardApiController } from './dashboard-api.controller';
import { DashboardController } from './dashboard.controller';

/** `/dashboard` (static, public) and the reads it needs beyond the rest of the API (`/autoheal/me`, `/autoheal/insights/activity`). */
@Module({
  imports: [DeliveriesModule],
  controllers: [DashboardController, DashboardApiController],
})
export class DashboardModule {}
