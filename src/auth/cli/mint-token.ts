import { parseArgs } from 'node:util';
import { configFromProcess } from '../../config/dotenv';
import { Role, ROLES } from '../roles';
import { scopeFromClaim } from '../tenant-scope';
import { mintToken } from '../token';

/**
 * `npm run token -- --role admin [--role operator] [--sub alice] [--ttl 1h] [--tenant t1 --tenant t2]`
 * Prints only the token on stdout, so `TOKEN=$(npm run -s token -- --role admin)` works.
 */
function main(): void {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      sub: { type: 'string', default: 'cli' },
      ttl: { type: 'string', default: '1h' },
      tenant: { type: 'string', multiple: true },
    },
  });
  const roles = values.role ?? [];
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  if (roles.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `--role is required, one or more of: ${ROLES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}\n`,
    );
    process.exit(2);
  }
  const tenants = values.tenant === undefined ? undefined : [...new Set(values.tenant)];
  const scope = scopeFromClaim(tenants);
  if (typeof scope === 'string') {
    process.stderr.write(`--tenant: ${scope}\n`);
    process.exit(2);
  }
  const ttl = /^\d+$/.test(values.ttl!) ? Number(values.ttl) : values.ttl!;
  const config = configFromProcess();
  process.stdout.write(`${mintToken(config, { subject: values.sub!, roles: roles as Role[], ttl, tenants })}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
