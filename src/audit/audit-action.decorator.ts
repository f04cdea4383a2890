import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'audit:action';

export interface AuditActionOptions {
  resourceType: string;
  /** The route parameter that holds the resource's id (`id` for `/escalations/:id/ack`). */
  resourceIdParam?: string;
}

export interface AuditActionMetadata extends AuditActionOptions {
  action: string;
}

/**
 * Names what a state-changing route does in the audit trail. Without it the route is still
 * audited, as `http_<method>` with the route in meta.
 */
export const AuditAction = (action: string, options: AuditActionOptions) =>
  SetMetadata<string, AuditActionMetadata>(AUDIT_ACTION, { action, ...options });
