import { Controller, Get } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators';
import { Clock } from '../clock/clock';
import { AnomalyDetector } from './anomaly-detector.port';
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
  async current(): Promise<CurrentAnomaliesResponse> {
    const now = this.clock.now();
    return { detected_at: now.toISOString(), incidents: await this.detector.detect(now) };
  }
}
