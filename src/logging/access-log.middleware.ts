import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedUser } from '../auth/roles';
import { requestIdOf } from '../common/request-id.middleware';

const logger = new Logger('Access');

/** The route's pattern, never the concrete path (which can carry endpoint URLs); the token's subject, never the token. */
export function accessLogMiddleware(req: Request, res: Response, next: NextFunction): void {
  const started = performance.now();
  let logged = false;
  const log = () => {
    if (logged) return;
    logged = true;
    const route = routeOf(req);
    const status = res.writableFinished ? res.statusCode : 499;
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const subject = (req.user as AuthenticatedUser | undefined)?.subject ?? null;
    logger.log(`${req.method} ${route} ${status} ${durationMs}ms`, {
      method: req.method,
      route,
      status,
      duration_ms: durationMs,
      request_id: requestIdOf(req),
      subject,
    });
  };
  res.once('finish', log);
  res.once('close', log);
  next();
}

/** Unmatched requests are grouped, not echoed. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : '(unmatched)';
}
