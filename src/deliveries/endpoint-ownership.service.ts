import { Injectable } from '@nestjs/common';
import { TenantForbiddenError, TenantScope } from '../auth/tenant-scope';
import { DeliveryStore } from './delivery-store.port';

/** Cooldowns and maintenance are per endpoint: it belongs to a scope when the ledger holds its tenants' deliveries to it. */
@Injectable()
export class EndpointOwnership {
  constructor(private readonly deliveries: DeliveryStore) {}

  async belongsTo(scope: TenantScope, endpoint: string): Promise<boolean> {
    if (scope.isPlatformWide) return true;
    return (await this.deliveries.list({ tenant_ids: scope.filter(), target: endpoint, limit: 1 })).length > 0;
  }

  async assert(scope: TenantScope, endpoint: string, action: string): Promise<void> {
    if (await this.belongsTo(scope, endpoint)) return;
    throw new TenantForbiddenError(
      `endpoint: ${action} ${endpoint} needs a delivery of ${scope.describe()} to it; this token may not act on other tenants' endpoints`,
    );
  }

  async only<T>(scope: TenantScope, items: readonly T[], endpointOf: (item: T) => string): Promise<T[]> {
    if (scope.isPlatformWide) return [...items];
    const owned = await Promise.all(items.map((item) => this.belongsTo(scope, endpointOf(item))));
    return items.filter((_, index) => owned[index]);
  }
}
