import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import type { AuthenticatedUser, Role } from './roles';
import type { TenantScope } from './tenant-scope';

export const IS_PUBLIC = 'auth:isPublic';
export const REQUIRED_ROLES = 'auth:roles';
/** The OpenAPI security scheme of the bearer token. */
export const BEARER_SCHEME = 'bearer';
/** The operation's roles in the OpenAPI document, from the same call that sets what the guard reads. */
export const ROLES_EXTENSION = 'x-required-roles';

/** Only /health; everything else needs a token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** A caller needs at least one of them. Documents the bearer scheme and the roles too (the document adds 401 and 403). */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(REQUIRED_ROLES, roles), ApiBearerAuth(BEARER_SCHEME), ApiExtension(ROLES_EXTENSION, roles));

export const CurrentUser = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): AuthenticatedUser => ctx.switchToHttp().getRequest().user,
);

export const CallerScope = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): TenantScope => (ctx.switchToHttp().getRequest().user as AuthenticatedUser).scope,
);
