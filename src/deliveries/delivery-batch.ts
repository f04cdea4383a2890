import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import type { DeliveryOutcome } from './delivery-store.port';

/**
 * Refused rather than merged: which outcome should win is a guess, and a set-based upsert cannot touch the
 * same row twice in one statement anyway.
 */
export function assertDistinctIds(items: readonly DeliveryOutcome[]): void {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const earlier = firstIndex.get(item.id);
    if (earlier !== undefined) {
      throw new DomainError(
        'duplicate_delivery_id',
        `[${index}].id: duplicate delivery id "${item.id}" (also at [${earlier}]); send each delivery once per batch`,
      );
    }
    firstIndex.set(item.id, index);
  });
}

export class TenantMismatchError extends DomainError {
  constructor(index: number, id: string) {
    super(
      'delivery_tenant_mismatch',
      `[${index}].tenant_id: delivery "${id}" is already recorded for another tenant; a delivery never changes tenant`,
      HttpStatus.CONFLICT,
    );
  }
}
