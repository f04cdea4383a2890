import type { HealthCheckStatus } from '@nestjs/terminus';

/** Terminus's report: one entry per check (`database`, `coordination`, `service`), each with its `status`. */
export class HealthReportDto {
  status: HealthCheckStatus;
  /** The checks that are up. */
  info?: Record<string, Record<string, unknown>>;
  /** The checks that are down. */
  error?: Record<string, Record<string, unknown>>;
  details: Record<string, Record<string, unknown>>;
}

/** The same report with the request id, when a check is down. */
export class HealthDownReportDto extends HealthReportDto {
  request_id: string;
}
