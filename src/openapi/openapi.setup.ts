import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { version } from '../../package.json';
import { BEARER_SCHEME, ROLES_EXTENSION } from '../auth/auth.decorators';
import metadata from '../metadata';
import { ActionTakenDto } from '../engine/dto/cycle-result-response.dto';
import { RULES_SCHEMA } from '../rules/rules.schema';
import { ApiErrorBody } from './api-error.dto';
import { CONFIG_SCHEMA_NAME, ERROR_STATUSES_EXTENSION } from './api-responses.decorator';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

const ERROR_MEANINGS: Record<number, string> = {
  400: 'A parameter or the body is invalid, or breaks an input limit (NUL, nesting, prototype keys); the message names where',
  401: 'No bearer token, or an expired or badly signed one',
  403: 'The token lacks the role, or the tenant is outside its scope',
  404: 'Not found (also another tenant’s, for a scoped token)',
  409: 'Conflicts with the current state; the message says why',
  413: 'The body is too large',
  503: 'PostgreSQL is unreachable (`database_unavailable`, with Retry-After: 5)',
};
/** Input limits run before any route, and the database may be down. */
const SHARED_ERRORS = [400, 503];
const AUTHENTICATED_ERRORS = [401, 403];
/** Models with keys that vary beside the documented ones (an action's strategy-specific details). */
const OPEN_MODELS = [ActionTakenDto];

/** GET /autoheal/config answers these sections of the rules; their schema is the rules' own zod schema. */
const CONFIG_SECTIONS = [
  'global_safety',
  'strategy_limits',
  'strategy_priorities',
  'tenant_overrides',
  'detection',
  'cycle',
  'approvals',
  'storm',
];

function configSchema(): SchemaObject {
  const rules = z.toJSONSchema(RULES_SCHEMA, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' }) as SchemaObject;
  const properties = Object.fromEntries(Object.entries(rules.properties ?? {}).filter(([key]) => CONFIG_SECTIONS.includes(key)));
  return {
    ...rules,
    description: 'The rules in force (file and defaults), with the run-time controls merged in',
    properties,
    required: CONFIG_SECTIONS,
  };
}

let pluginMetadata: Promise<void> | undefined;

/** The OpenAPI document of every controller the app mounts, with the roles each operation needs in its description. */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  // What the @nestjs/swagger CLI plugin would compile in, generated into src/metadata.ts (`npm run openapi:metadata`).
  await (pluginMetadata ??= SwaggerModule.loadPluginMetadata(metadata));
  const config = new DocumentBuilder()
    .setTitle('AetherLink Auto-Heal')
    .setDescription(
      'Heals the failing endpoints of a multi-tenant webhook platform. Every route except /health, /metrics and these docs ' +
        'needs a bearer token (HS256, `npm run token -- --role admin`); each operation says which roles may call it. ' +
        'Errors are `{statusCode, error, message, request_id}`; every response carries `x-request-id`.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ApiErrorBody] });
  const schemas = document.components!.schemas!;
  schemas[CONFIG_SCHEMA_NAME] = configSchema();
  for (const model of OPEN_MODELS) (schemas[model.name] as SchemaObject).additionalProperties = true;
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const extensions = operation as unknown as Record<string, unknown>;
      const roles = extensions[ROLES_EXTENSION] as string[] | undefined;
      const access = roles ? `**Roles:** ${roles.join(', ')}.` : '**Public:** no token needed.';
      operation.description = operation.description ? `${access}\n\n${operation.description}` : access;
      const own = (extensions[ERROR_STATUSES_EXTENSION] as number[] | undefined) ?? [];
      delete extensions[ERROR_STATUSES_EXTENSION];
      for (const status of [...SHARED_ERRORS, ...(roles ? AUTHENTICATED_ERRORS : []), ...own].sort()) {
        operation.responses[status] ??= {
          description: ERROR_MEANINGS[status] ?? 'Error',
          content: { 'application/json': { schema: { $ref: getSchemaPath(ApiErrorBody) } } },
        };
      }
    }
  }
  return document;
}

/**
 * Swagger UI at /docs (its assets from the swagger-ui-dist package, no CDN) and the document at /docs-json, both
 * public: they are plain Express routes, outside the guards. The document is built on the first request, not at boot.
 */
export function setupOpenApi(app: NestExpressApplication): void {
  let document: Promise<OpenAPIObject> | undefined;
  SwaggerModule.setup(
    DOCS_PATH,
    app,
    { openapi: '3.0.0', info: { title: '', version }, paths: {} },
    {
      raw: ['json'],
      jsonDocumentUrl: DOCS_JSON_PATH,
      customSiteTitle: 'AetherLink Auto-Heal API',
      patchDocumentOnRequest: () => (document ??= buildOpenApiDocument(app)),
      // Swagger UI would otherwise ask an online validator about the document.
      swaggerOptions: { validatorUrl: null, persistAuthorization: true },
    },
  );
}
