export interface EndpointRef {
  tenantId: string;
  endpoint: string;
}

/** NUL cannot appear in either part. */
export const endpointKey = (tenantId: string, endpoint: string): string => `${tenantId}\u0000${endpoint}`;
