import { Module } from '@nestjs/common';
import { AutohealMetrics } from './autoheal-metrics.service';
import { MetricsController } from './metrics.controller';

@Module({
  controllers: [MetricsController],
  providers: [AutohealMetrics],
  exports: [AutohealMetrics],
})
export class MetricsModule {}
