import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthenticatedUser, Role } from './roles';
import type { TenantScope } from './tenant-scope';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:roles';

/** Opens a route to callers without a token (only /health). Everything else needs one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The roles allowed on a route; a caller needs at least one of them. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthenticatedUser => ctx.switchToHttp().getRequest().user,
);

/** The caller's TenantScope: what it may see and act on (platform-wide for an unscoped token). */
export const CallerScope = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): TenantScope => (ctx.switchToHttp().getRequest().user as AuthenticatedUser).scope,
);
