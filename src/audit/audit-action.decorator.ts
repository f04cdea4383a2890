import { SetMetadata } from '@nestjs/common';

export const AUDIT_ACTION = 'audit:action';

export interface AuditActionOptions {
  resourceType: string;
  resourceIdParam?: string;
}

export interface AuditActionMetadata extends AuditActionOptions {
  action: string;
}

/** Without it a state-changing route is still audited, as `http_<method>` with the route in meta. */
export const AuditAction = (action: string, options: AuditActionOptions) =>
  SetMetadata<string, AuditActionMetadata>(AUDIT_ACTION, { action, ...options });
