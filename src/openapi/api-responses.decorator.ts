import { ApiExtension } from '@nestjs/swagger';

/** The components schema of GET /autoheal/config, derived from the rules' zod schema when the document is built. */
export const CONFIG_SCHEMA_NAME = 'AutohealConfig';

/** Read, and removed, by buildOpenApiDocument. */
export const ERROR_STATUSES_EXTENSION = 'x-error-statuses';

/**
 * The statuses a route answers with the error shape beyond those every route shares (400, 503) and those of @Roles
 * (401, 403). An extension rather than @ApiResponse: a method with its own responses would not get the one the
 * swagger plugin derives from its return type.
 */
export const ApiErrors = (...statuses: number[]) => ApiExtension(ERROR_STATUSES_EXTENSION, statuses);
