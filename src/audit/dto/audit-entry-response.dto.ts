import type { AuditEntry } from '../audit-log.port';

export class AuditEntryDto implements AuditEntry {
  id: string;
  at: Date;
  /** The token's subject, or `system:autoheal`. */
  operator_id: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  tenant_id: string | null;
  meta: Record<string, unknown>;
}
