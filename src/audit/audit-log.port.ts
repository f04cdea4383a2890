/** `at` defaults to the Clock. */
export interface AuditRecord {
  operator_id: string;
  action: string;
  resource_type: string;
  resource_id?: string | null;
  tenant_id?: string | null;
  meta?: Record<string, unknown>;
  at?: Date;
}

export interface AuditEntry {
  id: string;
  at: Date;
  operator_id: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  tenant_id: string | null;
  meta: Record<string, unknown>;
}

export interface AuditQuery {
  action?: string;
  tenant_id?: string;
  /** A caller's scope: empty means none, and entries naming no tenant are left out. */
  tenant_ids?: readonly string[];
  /** Inclusive. */
  since?: Date;
  limit: number;
}

/** Append-only: entries are never changed or removed. */
export abstract class AuditLog {
  abstract record(entry: AuditRecord): Promise<void>;
  /** Newest first. */
  abstract query(query: AuditQuery): Promise<AuditEntry[]>;
  /**
   * Oldest first: the entries a healing cycle's writes named it in (`meta.cycle_id`), from `since` (its start) on,
   * which bounds the scan to the trail written since the cycle began.
   */
  abstract ofCycle(cycleId: string, since: Date): Promise<AuditEntry[]>;
}
