import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../src/auth/auth.decorators';
import type { Role } from '../../src/auth/roles';

export interface NestRoute {
  /** `GET /autoheal/incidents/:id`, as Express lists it. */
  route: string;
  /** Lower case, as OpenAPI's path items name it. */
  method: string;
  /** `/autoheal/incidents/{id}`: `:name` and `*name` become `{name}`. */
  openApiPath: string;
  /** What the guards read: the handler's @Roles, else its controller's; undefined without one. */
  roles: Role[] | undefined;
  isPublic: boolean;
}

/** Every route of every controller the app mounts, from Nest's own discovery and route metadata. */
export function nestRoutes(app: INestApplication): NestRoute[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  return discovery.getControllers().flatMap(({ metatype, instance }) => {
    if (!metatype || !instance) return [];
    const prototype = Object.getPrototypeOf(instance) as Record<string, object>;
    const prefixes = [Reflect.getMetadata(PATH_METADATA, metatype) ?? ''].flat() as string[];
    return scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const metadata = <T>(key: string): T | undefined => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, metatype);
      return prefixes.flatMap((prefix) =>
        [paths].flat().map((path) => {
          const full = `/${[prefix, path]
            .flatMap((part) => part.split('/'))
            .filter(Boolean)
            .join('/')}`;
          return {
            route: `${method} ${full}`,
            method: method.toLowerCase(),
            openApiPath: full.replace(/[:*](\w+)/g, '{$1}'),
            roles: metadata<Role[]>(REQUIRED_ROLES),
            isPublic: metadata<boolean>(IS_PUBLIC) === true,
          };
        }),
      );
    });
  });
}
