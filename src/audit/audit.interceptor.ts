import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { concatMap, Observable } from 'rxjs';
import { IS_PUBLIC } from '../auth/auth.decorators';
import type { AuthenticatedUser } from '../auth/roles';
import { requestIdOf } from '../common/request-id.middleware';
import { AUDIT_ACTION, AuditActionMetadata } from './audit-action.decorator';
import { AuditLog, AuditRecord } from './audit-log.port';
import { summarizeBody } from './body-summary';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Guards and pipes run before the handler, so refused calls and handlers that throw are not recorded:
 * the trail says what was done, not what was attempted.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { user?: AuthenticatedUser }>();
    if (!STATE_CHANGING.has(req.method)) return next.handle();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return next.handle();
    const declared = this.reflector.getAllAndOverride<AuditActionMetadata | undefined>(AUDIT_ACTION, targets);

    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        await this.recordSafely(req, declared, result);
        return result;
      }),
    );
  }

  /** The operation already happened: a failed write is logged loudly, never turned into an error response. */
  private async recordSafely(
    req: Request & { user?: AuthenticatedUser },
    declared: AuditActionMetadata | undefined,
    result: unknown,
  ): Promise<void> {
    let entry: AuditRecord | undefined;
    try {
      entry = describeCall(req, declared, result);
      await this.audit.record(entry);
    } catch (error) {
      const what = entry ? `${entry.action} by ${entry.operator_id}` : `${req.method} ${req.originalUrl}`;
      this.logger.error(
        `AUDIT WRITE FAILED: ${what} [${requestIdOf(req)}] succeeded but is NOT in ` +
          `the audit trail: ${error instanceof Error ? error.message : String(error)}`,
        error instanceof Error ? error.stack : undefined,
      );
    }
  }
}

/** A wildcard route parameter (`*endpoint`) arrives as its path segments. */
function paramValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join('/') : value;
}

export function describeCall(
  req: Request & { user?: AuthenticatedUser },
  declared: AuditActionMetadata | undefined,
  result: unknown,
): AuditRecord {
  const route = `${req.baseUrl ?? ''}${(req.route as { path?: string } | undefined)?.path ?? req.path}`;
  const params = { ...(req.params ?? {}) } as Record<string, string | string[]>;
  const resourceId = declared ? (declared.resourceIdParam ? paramValue(params[declared.resourceIdParam]) : null) : `${req.method} ${route}`;
  return {
    operator_id: req.user?.subject ?? 'anonymous',
    action: declared?.action ?? `http_${req.method.toLowerCase()}`,
    resource_type: declared?.resourceType ?? 'route',
    resource_id: resourceId,
    tenant_id: tenantOf(params, req.query, req.body, result) ?? onlyTenantOf(req.user),
    meta: {
      method: req.method,
      route,
      params,
      query: summarizeBody(req.query ?? {}),
      body: summarizeBody(req.body),
      request_id: requestIdOf(req),
    },
  };
}

/**
 * A token scoped to one tenant can act only on that tenant's resources, so what it did is about that tenant even
 * when the route names none (an endpoint's maintenance window or cooldown): its own operators see it in the trail.
 */
function onlyTenantOf(user: AuthenticatedUser | undefined): string | null {
  const tenants = user?.scope?.tenants;
  return tenants?.length === 1 ? tenants[0] : null;
}

function tenantOf(...sources: unknown[]): string | null {
  for (const source of sources) {
    const value =
      source && typeof source === 'object' && !Array.isArray(source) ? (source as Record<string, unknown>).tenant_id : undefined;
    if (typeof value === 'string' && value.length > 0) return value;
  }
  return null;
}
