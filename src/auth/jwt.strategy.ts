import { Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../config/app-config';
import { AuthenticatedUser, Role, ROLES } from './roles';
import { scopeFromClaim } from './tenant-scope';

interface TokenClaims {
  sub?: unknown;
  roles?: unknown;
  tenants?: unknown;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwt.secret,
      algorithms: ['HS256'],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  validate(claims: TokenClaims): AuthenticatedUser | false {
    const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is Role => ROLES.includes(r)) : [];
    if (typeof claims.sub !== 'string' || claims.sub === '') return false;
    const scope = scopeFromClaim(claims.tenants);
    if (typeof scope === 'string') throw new UnauthorizedException(scope);
    return { subject: claims.sub, roles, scope };
  }
}
