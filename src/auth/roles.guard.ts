import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_ROLES } from './auth.decorators';
import type { AuthenticatedUser, Role } from './roles';

/**
 * Global, after authentication. Denies by default: a non-public route without @Roles is
 * closed to everyone, so forgetting the decorator fails safe.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role[]>(REQUIRED_ROLES, targets) ?? [];
    const user: AuthenticatedUser | undefined = context.switchToHttp().getRequest().user;
    if (user && required.some((role) => user.roles.includes(role))) return true;
    throw new ForbiddenException(
      required.length > 0
        ? `This needs one of the roles: ${required.join(', ')}; the token has: ${user?.roles.join(', ') || 'none'}`
        : 'This route is not open to any role',
    );
  }
}
