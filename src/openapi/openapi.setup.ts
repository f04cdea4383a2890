import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, getSchemaPath, OpenAPIObject, SchemaObject, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';
import { version } from '../../package.json';
import { BEARER_SCHEME, ROLES_EXTENSION } from '../auth/auth.decorators';
import metadata from '../metadata';
import { RULES_SCHEMA } from '../rules/rules.schema';
import { ApiErrorBody } from './api-error.dto';
import { CONFIG_SCHEMA_NAME } from './api-responses.decorator';

export const DOCS_PATH = 'docs';
export const DOCS_JSON_PATH = 'docs-json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** Every operation can answer these (input limits run before any route; the database may be down). */
const SHARED_ERRORS: Record<string, string> = {
  '400': 'A parameter or the body is invalid, or breaks an input limit (NUL, nesting, prototype keys); the message names where',
  '503': 'PostgreSQL is unreachable (`database_unavailable`, with Retry-After: 5)',
};

/** GET /autoheal/config answers these sections of the rules; their schema is the rules' own zod schema. */
const CONFIG_SECTIONS = ['global_safety', 'strategy_limits', 'strategy_priorities', 'tenant_overrides', 'detection', 'cycle', 'approvals', 'storm'];

function configSchema(): SchemaObject {
  const rules = z.toJSONSchema(RULES_SCHEMA, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' }) as SchemaObject;
  const properties = Object.fromEntries(Object.entries(rules.properties ?? {}).filter(([key]) => CONFIG_SECTIONS.includes(key)));
  return { ...rules, description: 'The rules in force (file and defaults), with the run-time controls merged in', properties, required: CONFIG_SECTIONS };
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
  document.components!.schemas![CONFIG_SCHEMA_NAME] = configSchema();
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const roles = (operation as unknown as Record<string, unknown>)[ROLES_EXTENSION] as string[] | undefined;
      const access = roles ? `**Roles:** ${roles.join(', ')}.` : '**Public:** no token needed.';
      operation.description = operation.description ? `${access}\n\n${operation.description}` : access;
      for (const [status, description] of Object.entries(SHARED_ERRORS)) {
        operation.responses[status] ??= { description, content: { 'application/json': { schema: { $ref: getSchemaPath(ApiErrorBody) } } } };
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
  SwaggerModule.setup(DOCS_PATH, app, { openapi: '3.0.0', info: { title: '', version }, paths: {} }, {
    raw: ['json'],
    jsonDocumentUrl: DOCS_JSON_PATH,
    customSiteTitle: 'AetherLink Auto-Heal API',
    patchDocumentOnRequest: () => (document ??= buildOpenApiDocument(app)),
    // Swagger UI would otherwise ask an online validator about the document.
    swaggerOptions: { validatorUrl: null, persistAuthorization: true },
  });
}
