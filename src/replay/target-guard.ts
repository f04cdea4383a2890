import { promises as dns, LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { checkWebhookUrl } from '../common/webhook-url';

/** All addresses a host name resolves to (dns.lookup with `all: true`); injected so tests need no DNS. */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export type TargetVerdict = { allowed: true } | { allowed: false; reason: string };

export interface TargetGuardOptions {
  allowPrivateTargets: boolean;
}

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT (CGNAT)',
  private: 'a private',
  uniqueLocal: 'a unique-local',
  reserved: 'a reserved',
};

/**
 * Refuses replay targets that could reach into our own network (SSRF): anything but http(s),
 * and any host that is or resolves to an address outside the public unicast space. Only
 * `unicast` passes, so ranges ipaddr.js adds later are refused rather than let through.
 */
export class TargetGuard {
  constructor(
    private readonly options: TargetGuardOptions,
    private readonly resolve: HostResolver = systemResolver,
  ) {}


  async check(target: string): Promise<TargetVerdict> {
    const checked = checkWebhookUrl(target);
    if (!checked.ok) return refuse(`target "${target}" ${checked.problem}`);
    const { url } = checked;
    if (this.options.allowPrivateTargets) return { allowed: true };

    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (ipaddr.isValid(host)) {
      const range = nonPublicRange(host);
      return range ? refuse(`target host ${host} is ${describe(range)} address`) : { allowed: true };
    }

    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return refuse(`target host ${host} could not be resolved (${code})`);
    }
    if (addresses.length === 0) return refuse(`target host ${host} resolves to no address`);
    for (const { address } of addresses) {
      const range = nonPublicRange(address);
      if (range) return refuse(`target host ${host} resolves to ${address}, ${describe(range)} address`);
    }
    return { allowed: true };
  }

  /**
   * A `net.connect` lookup that applies the same rule at connect time: the name may resolve
   * differently by then (DNS rebinding). Undefined when private targets are allowed.
   */
  connectLookup(): LookupFunction | undefined {
    if (this.options.allowPrivateTargets) return undefined;
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (all) => {
          const addresses = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
          const refused = addresses.find((a) => nonPublicRange(a.address) !== null);
          if (refused || addresses.length === 0) {
            const why = refused
              ? `${hostname} resolves to ${refused.address}, ${describe(nonPublicRange(refused.address)!)} address`
              : `${hostname} resolves to no usable address`;
            const error: NodeJS.ErrnoException = new Error(`target refused at connect: ${why}`);
            error.code = 'ETARGETREFUSED';
            callback(error, '');
          } else if (options.all) {
            callback(null, addresses);
          } else {
            callback(null, addresses[0].address, addresses[0].family);
          }
        },
        (error: NodeJS.ErrnoException) => callback(error, ''),
      );
    };
  }
}

/** The ipaddr.js range of an address outside the public unicast space, or null when public. */
export function nonPublicRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() unwraps IPv4-mapped IPv6 (::ffff:10.0.0.1) so it is judged as the IPv4 it is.
    parsed = ipaddr.process(address);
  } catch {
    return 'invalid';
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

function describe(range: string): string {
  return RANGE_NAMES[range] ?? `a non-public (${range})`;
}

function refuse(reason: string): TargetVerdict {
  return { allowed: false, reason };
}
