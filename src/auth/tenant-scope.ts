import { HttpStatus } from '@nestjs/common';
import { DomainError, NotFoundError } from '../common/domain-error';

export class TenantForbiddenError extends DomainError {
  constructor(message: string) {
    super('tenant_forbidden', message, HttpStatus.FORBIDDEN);
  }
}

/**
 * Which tenants a caller may see and act on: every tenant (an unscoped token: the platform's own
 * dispatcher, platform admins) or the tenants its `tenants` claim names. Controllers ask it rather
 * than checking claims themselves, so the rule lives here once.
 */
export class TenantScope {
  static readonly PLATFORM = new TenantScope(null);

  private constructor(private readonly tenantSet: ReadonlySet<string> | null) {}

  /** A scope of at least one tenant; an empty list is a mistake, not "no tenants". */
  static of(tenants: readonly string[]): TenantScope {
    if (tenants.length === 0) throw new Error('A tenant scope names at least one tenant');
    return new TenantScope(new Set(tenants));
  }

  get isPlatformWide(): boolean {
    return this.tenantSet === null;
  }

  /** The scoped tenants, sorted; null for a platform-wide scope. */
  get tenants(): string[] | null {
    return this.tenantSet === null ? null : [...this.tenantSet].sort();
  }

  allows(tenant: string | null | undefined): boolean {
    if (this.tenantSet === null) return true;
    return typeof tenant === 'string' && this.tenantSet.has(tenant);
  }

  /**
   * The tenant filter a list query adds (beside any tenant the caller asked for): undefined means
   * every tenant; otherwise the scope's tenants.
   */
  filter(): string[] | undefined {
    return this.tenants ?? undefined;
  }

  /** 403 naming the tenant when the scope does not include it; `where` says what named it (`[3].tenant_id`). */
  assert(tenant: string, where = 'tenant_id'): void {
    if (this.allows(tenant)) return;
    throw new TenantForbiddenError(`${where}: tenant "${tenant}" is outside this token's scope (${this.describe()})`);
  }

  /** 403 for what acts on every tenant at once (the kill switch, a healing cycle). */
  assertPlatformWide(what: string): void {
    if (this.isPlatformWide) return;
    throw new TenantForbiddenError(`${what}; this token is scoped to ${this.describe()}, ask a platform operator with an unscoped token`);
  }

  /** The record when the scope includes its tenant, otherwise null: callers answer 404, so ids do not leak. */
  visible<T extends { tenant_id: string }>(record: T | null | undefined): T | null {
    return record && this.allows(record.tenant_id) ? record : null;
  }

  /**
   * Before acting on a record by id: 404 (as for an unknown id, so ids do not leak) unless the scope
   * includes its tenant. Platform-wide, nothing is loaded. Tenants never change, so this is no race.
   */
  async assertSees(what: string, id: string, load: () => Promise<{ tenant_id: string } | null>): Promise<void> {
    if (this.tenantSet === null) return;
    if (!this.visible(await load())) throw new NotFoundError(what, id);
  }

  /** The items whose tenant the scope includes. */
  only<T>(items: readonly T[], tenantOf: (item: T) => string | null | undefined = defaultTenantOf): T[] {
    return this.tenantSet === null ? [...items] : items.filter((item) => this.allows(tenantOf(item)));
  }

  describe(): string {
    if (this.tenantSet === null) return 'all tenants';
    return `tenant${this.tenantSet.size === 1 ? '' : 's'} ${this.tenants!.map((t) => `"${t}"`).join(', ')}`;
  }
}

const defaultTenantOf = (item: unknown) => (item as { tenant_id?: string }).tenant_id;

export const MAX_TENANT_ID_LENGTH = 200;

/**
 * The `tenants` claim: absent means platform-wide; otherwise a non-empty array of tenant ids (1 to 200
 * characters, no NUL). Anything else is a problem message, so the token is refused (401) rather than
 * silently widened or narrowed.
 */
export function scopeFromClaim(claim: unknown): TenantScope | string {
  if (claim === undefined) return TenantScope.PLATFORM;
  if (!Array.isArray(claim)) return 'the tenants claim must be an array of tenant ids';
  if (claim.length === 0) {
    return 'the tenants claim is an empty array; a token scoped to no tenant is refused (leave the claim out for a platform-wide token)';
  }
  const bad = claim.findIndex((t) => typeof t !== 'string' || t.length === 0 || t.length > MAX_TENANT_ID_LENGTH || t.includes('\u0000'));
  if (bad >= 0) return `tenants[${bad}]: must be a tenant id of 1 to ${MAX_TENANT_ID_LENGTH} characters without NUL`;
  return TenantScope.of(claim as string[]);
}
