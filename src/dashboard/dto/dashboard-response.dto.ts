import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../../auth/roles';
import type { CallerView } from '../dashboard-api.controller';
import type { ActivityBucket, ActivityView, EndpointActivity } from '../endpoint-activity';

// Response models for the OpenAPI document; `implements` keeps them in step with what the controller returns.

type CallerPermissions = CallerView['may'];

/** What the dashboard may offer the caller. */
export class CallerPermissionsDto implements CallerPermissions {
  /** Incidents, escalations, approvals, runs (admin, operator). */
  read_autoheal: boolean;
  /** Acknowledge, approve, maintenance (admin, operator). */
  operate: boolean;
  /** The kill switch and dry run (a platform-wide admin). */
  controls: boolean;
}

export class CallerDto implements CallerView {
  /** The token's `sub`. */
  subject: string;
  @ApiProperty({ enum: ROLES, isArray: true })
  roles: Role[];
  /** The tenants the token is scoped to; null for a platform-wide token. */
  tenants: string[] | null;
  may: CallerPermissionsDto;
}

export class ActivityBucketDto implements ActivityBucket {
  /** The bucket's start (ISO 8601). */
  at: string;
  failures: number;
  heals: number;
}

export class EndpointActivityDto implements EndpointActivity {
  tenant_id: string;
  endpoint: string;
  failures: number;
  heals: number;
  /** Every bucket of the window, oldest first, zeros included, so a chart needs no gaps filled. */
  buckets: ActivityBucketDto[];
}

export class ActivityDto implements ActivityView {
  /** The window's start (ISO 8601). */
  since: string;
  /** The window's end: now (ISO 8601). */
  until: string;
  bucket_seconds: number;
  /** The busiest (failures + heals) first. */
  endpoints: EndpointActivityDto[];
}
