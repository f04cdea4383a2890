import type { TenantScope } from './tenant-scope';

export const ROLES = ['admin', 'operator', 'ingest', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The caller, as the JWT strategy puts it on the request. */
export interface AuthenticatedUser {
  subject: string;
  roles: Role[];
  /** The tenants the token may see and act on (its `tenants` claim), or platform-wide. */
  scope: TenantScope;
}
