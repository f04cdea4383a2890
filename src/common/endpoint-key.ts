/** One tenant's endpoint: what an incident, a deferral and a success rate are about. */
export interface EndpointRef {
  tenantId: string;
  endpoint: string;
}

/** A map key for an EndpointRef (NUL cannot appear in either part). */
export const endpointKey = (tenantId: string, endpoint: string): string => `${tenantId}\u0000${endpoint}`;
