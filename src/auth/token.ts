import { sign } from 'jsonwebtoken';
import type { AppConfig } from '../config/app-config';
import type { Role } from './roles';

export interface TokenRequest {
  subject: string;
  roles: Role[];
  /** jsonwebtoken's notation: `1h`, `30m`, `7d`, or seconds. */
  ttl: string | number;
  tenants?: readonly string[];
}

export function mintToken(config: AppConfig, request: TokenRequest): string {
  const claims = request.tenants === undefined ? { roles: request.roles } : { roles: request.roles, tenants: [...request.tenants] };
  return sign(claims, config.jwt.secret, {
    algorithm: 'HS256',
    subject: request.subject,
    expiresIn: request.ttl as never,
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  });
}
