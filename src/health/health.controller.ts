import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { HealthIndicators } from './health.indicators';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicators,
  ) {}

  /** Coordination problems are reported, not fatal. */
  @Public()
  @Get()
  @HealthCheck()
  check() {
    return this.health.check([
      () => this.indicators.checkDatabase(),
      () => this.indicators.checkCoordination(),
      () => this.indicators.checkService(),
    ]);
  }
}
