import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AuthenticatedUser, Role } from './roles';
import type { TenantScope } from './tenant-scope';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:roles';

/** Only /health; everything else needs a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** A caller needs at least one of them. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthenticatedUser => ctx.switchToHttp().getRequest().user,
);

export const CallerScope = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): TenantScope => (ctx.switchToHttp().getRequest().user as AuthenticatedUser).scope,
);
