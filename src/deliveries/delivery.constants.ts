export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead_letter'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const FAILED_STATUSES: DeliveryStatus[] = ['failed', 'dead_letter'];

/** A replay is written as `pending` before the request leaves, then settled; a crash leaves it visible. */
export const ATTEMPT_OUTCOMES = ['pending', 'succeeded', 'failed', 'abandoned'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];
