import { ApiProperty } from '@nestjs/swagger';
import { ThrottleDto } from '../../throttles/dto/throttle-response.dto';
import type { ResendView } from '../../replay/operator-resend.service';
import type { AttemptOutcome, DeliveryStatus } from '../delivery.constants';
import type { AttemptRecord, DeliveryDetail, DeliveryRecord, UpsertResult } from '../delivery-store.port';

const ANY_JSON = ['object', 'array', 'string', 'number', 'boolean'].map((type) => ({ type }));

// Response models for the OpenAPI document; `implements` keeps them in step with what the store returns.

export class UpsertResultDto implements UpsertResult {
  inserted: number;
  updated: number;
  /** Only when a tenant of the batch is throttled (RATE_LIMIT_SOURCE): the dispatcher should slow it down. */
  throttles?: ThrottleDto[];
}

export class DeliveryDto implements DeliveryRecord {
  id: string;
  tenant_id: string;
  target: string;
  event_type: string | null;
  status: DeliveryStatus;
  http_status: number | null;
  error: string | null;
  /** transient_endpoint_down, rate_limited, invalid_payload, permanent_4xx or unknown; null while pending. */
  triage_label: string | null;
  /** How sure the label is, 0..1. */
  triage_score: number | null;
  attempts: number;
  @ApiProperty({ description: 'The stored JSON payload, as reported: any JSON value', oneOf: ANY_JSON, nullable: true })
  payload: unknown;
  /** The request body exactly as the dispatcher sent it (replays send these bytes); null when only a payload was reported. */
  body: string | null;
  /** The body's media type, e.g. `application/json` or `application/x-www-form-urlencoded`. */
  content_type: string | null;
  /** Credentials (authorization, cookies, secrets, tokens, signatures) read `[redacted]`. */
  headers: Record<string, string> | null;
  /** `autoheal: true` once an auto-heal replay sent it. */
  meta: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  last_attempt_at: Date | null;
}

export class AttemptDto implements AttemptRecord {
  id: string;
  attempted_at: Date;
  finished_at: Date | null;
  http_status: number | null;
  error: string | null;
  duration_ms: number | null;
  /** `dispatcher`, `autoheal`, `operator`, … */
  source: string;
  actor: string;
  outcome: AttemptOutcome;
  replay_key: string | null;
  cycle_id: string | null;
}

export class DeliveryDetailDto extends DeliveryDto implements DeliveryDetail {
  /** Newest first. */
  attempt_history: AttemptDto[];
}

export class ResendDto implements ResendView {
  delivery_id: string;
  tenant_id: string;
  outcome: 'delivered' | 'failed';
  http_status: number | null;
  error: string | null;
  /** After this send. */
  attempts: number;
  attempt_id: string;
}
