import type { TenantScope } from './tenant-scope';

export const ROLES = ['admin', 'operator', 'ingest', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface AuthenticatedUser {
  subject: string;
  roles: Role[];
  scope: TenantScope;
}
