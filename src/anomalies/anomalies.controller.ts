import { Controller, Get } from '@nestjs/common';
import { CallerScope, Roles } from '../auth/auth.decorators';
import type { TenantScope } from '../auth/tenant-scope';
import { Clock } from '../clock/clock';
import { AnomalyDetector } from './anomaly-detector.port';
import { CurrentAnomaliesDto } from './dto/anomaly-response.dto';
import type { Incident } from './incident';

export interface CurrentAnomaliesResponse {
  detected_at: string;
  incidents: Incident[];
}

@Controller('anomalies')
export class AnomaliesController {
  constructor(
    private readonly detector: AnomalyDetector,
    private readonly clock: Clock,
  ) {}

  @Roles('admin', 'operator')
  @Get('current')
  async current(@CallerScope() scope: TenantScope): Promise<CurrentAnomaliesDto> {
    const now = this.clock.now();
    return { detected_at: now.toISOString(), incidents: scope.only(await this.detector.detect(now)) };
  }
}
