import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { HealthDownReportDto, HealthReportDto } from './dto/health-response.dto';
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
  @ApiOkResponse({ type: HealthReportDto })
  @ApiServiceUnavailableResponse({ type: HealthDownReportDto, description: 'The database is unreachable' })
  check() {
    return this.health.check([
      () => this.indicators.checkDatabase(),
      () => this.indicators.checkCoordination(),
      () => this.indicators.checkService(),
    ]);
  }
}
