import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ApiErrorBody } from './api-error.dto';

/** The components schema of GET /autoheal/config, derived from the rules' zod schema when the document is built. */
export const CONFIG_SCHEMA_NAME = 'AutohealConfig';

const ERROR_MEANINGS: Record<number, string> = {
  400: 'A parameter or the body is invalid; the message names each bad field',
  401: 'No bearer token, or an expired or badly signed one',
  403: 'The token lacks the role, or the tenant is outside its scope',
  404: 'Not found (also for another tenant’s resource under a scoped token)',
  409: 'Conflicts with the current state; the message says why',
  413: 'The body is too large',
  503: 'PostgreSQL (or, where the route needs it, Redis) is unreachable; Retry-After says when to try again',
};

/** The error shape, once per status, for the statuses a route answers beyond the ones every route shares. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: ERROR_MEANINGS[status] ?? 'Error', type: ApiErrorBody })),
  );
