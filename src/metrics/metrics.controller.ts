import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { AutohealMetrics } from './autoheal-metrics.service';

/** Prometheus scrape endpoint. Public like /health: counters only, no tenant data in labels. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: AutohealMetrics) {}

  @Public()
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
