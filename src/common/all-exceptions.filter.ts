import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from './database-unavailable';
import { DomainError } from './domain-error';
import { requestIdOf } from './request-id.middleware';

const DATABASE_RETRY_AFTER_SECONDS = 5;

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  request_id: string;
}

/**
 * An unreachable database is a 503 with Retry-After (ingest is an idempotent upsert, so the dispatcher
 * may resend); anything unknown is logged with its stack and answered as a bare 500 with the request id.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const requestId = requestIdOf(req);
    const { status, error, message, headers } = this.describe(exception);
    // A failing health check is an answer, not a fault (terminus already logged which check failed).
    const healthReport = exception instanceof HttpException && isHealthReport(exception.getResponse());
    if (error === 'database_unavailable') {
      // An outage is one line per request, not a stack each: /health already says the database is down.
      const cause = exception instanceof Error ? exception.message : String(exception);
      this.logger.warn(`${req.method} ${req.url} [${requestId}]: database unavailable (${cause})`);
    } else if (status >= 500 && !healthReport) {
      this.logger.error(`${req.method} ${req.url} [${requestId}]`, exception instanceof Error ? exception.stack : exception);
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const body: ErrorBody = { statusCode: status, error, message, request_id: requestId };
    // Keep the health report whole so probes can read it.
    if (healthReport) {
      res.status(status).json({ ...(exception.getResponse() as object), request_id: requestId });
      return;
    }
    res.status(status).json(body);
  }

  private describe(exception: unknown): { status: number; error: string; message: string; headers: Record<string, string> } {
    if (exception instanceof DomainError) {
      return { status: exception.status, error: exception.code, message: exception.message, headers: exception.headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
      const message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? exception.message);
      return { status, error: HttpStatus[status]?.toLowerCase() ?? 'error', message, headers: {} };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'database_unavailable',
        message: `The database is unreachable; retry in ${DATABASE_RETRY_AFTER_SECONDS}s`,
        headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'internal_error',
      message: 'Internal server error; quote the request_id when reporting it',
      headers: {},
    };
  }
}

function isHealthReport(response: unknown): boolean {
  return typeof response === 'object' && response !== null && 'status' in response && 'details' in response;
}
