import { HttpStatus } from '@nestjs/common';
import { DomainError, NotFoundError } from '../common/domain-error';

export class TenantForbiddenError extends DomainError {
  constructor(message: string) {
    super('tenant_forbidden', message, HttpStatus.FORBIDDEN);
  }
}

/** Every tenant (an unscoped token) or those its `tenants` claim names; controllers ask it so the rule lives once. */
export class TenantScope {
  static readonly PLATFORM = new TenantScope(null);

  private constructor(private readonly tenantSet: ReadonlySet<string> | null) {}

  /** An empty list is a mistake, not "no tenants". */
  static of(tenants: readonly string[]): TenantScope {
    if (tenants.length === 0) throw new Error('A tenant scope names at least one tenant');
    return new TenantScope(new Set(tenants));
  }

  get isPlatformWide(): boolean {
    return this.tenantSet === null;
  }

  /** Sorted; null for a platform-wide scope. */
  get tenants(): string[] | null {
    return this.tenantSet === null ? null : [...this.tenantSet].sort();
  }

  allows(tenant: string | null | undefined): boolean {
    if (this.tenantSet === null) return true;
    return typeof tenant === 'string' && this.tenantSet.has(tenant);
  }

  /** undefined means every tenant. */
  filter(): string[] | undefined {
    return this.tenants ?? undefined;
  }

  /** 403 naming the tenant; `where` says what named it (`[3].tenant_id`). */
  assert(tenant: string, where = 'tenant_id'): void {
    if (this.allows(tenant)) return;
    throw new TenantForbiddenError(`${where}: tenant "${tenant}" is outside this token's scope (${this.describe()})`);
  }

  assertPlatformWide(what: string): void {
    if (this.isPlatformWide) return;
    throw new TenantForbiddenError(`${what}; this token is scoped to ${this.describe()}, ask a platform operator with an unscoped token`);
  }

  /** Null outside the scope: callers answer 404, so ids do not leak. */
  visible<T extends { tenant_id: string }>(record: T | null | undefined): T | null {
    return record && this.allows(record.tenant_id) ? record : null;
  }

  /** 404 as for an unknown id, so ids do not leak. Tenants never change, so load-then-act is no race. */
  async assertSees(what: string, id: string, load: () => Promise<{ tenant_id: string } | null>): Promise<void> {
    if (this.tenantSet === null) return;
    if (!this.visible(await load())) throw new NotFoundError(what, id);
  }

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

/** Anything but absent or a valid list is a problem message: the token is refused, never silently widened or narrowed. */
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
