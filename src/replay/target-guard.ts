import { promises as dns, LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { checkWebhookUrl } from '../common/webhook-url';

/** Injected so tests need no DNS. */
export type HostResolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export type TargetVerdict = { allowed: true } | { allowed: false; reason: string };

export interface TargetGuardOptions {
  allowPrivateTargets: boolean;
}

const RANGE_NAMES: Record<string, string> = {
  unspecified: 'an unspecified',
  thisNetwork: 'a "this network" (0.0.0.0/8)',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT (CGNAT)',
  private: 'a private',
  uniqueLocal: 'a unique-local',
  deprecatedSiteLocal: 'a site-local',
  documentation: 'a documentation',
  benchmarking: 'a benchmarking',
  protocolAssignments: 'an IETF protocol assignment',
  discard: 'a discard-only',
  localUseNat64: 'a local-use NAT64 (64:ff9b:1::/48)',
  notGlobalUnicast: 'a non-global-unicast (outside 2000::/3)',
  reserved: 'a reserved',
};

type Cidr = [string, number];

/**
 * IANA special-purpose registries, first match wins. The few entries IANA marks globally reachable (AS112, AMT,
 * ORCHIDv2...) are refused too: no webhook receiver lives there. Anything ipaddr.js does not call `unicast` is refused.
 */
const IPV4_SPECIAL: Array<[string, Cidr[]]> = [
  ['unspecified', [['0.0.0.0', 32]]],
  ['thisNetwork', [['0.0.0.0', 8]]],
  [
    'private',
    [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
    ],
  ],
  ['carrierGradeNat', [['100.64.0.0', 10]]],
  ['loopback', [['127.0.0.0', 8]]],
  ['linkLocal', [['169.254.0.0', 16]]],
  ['protocolAssignments', [['192.0.0.0', 24]]],
  [
    'documentation',
    [
      ['192.0.2.0', 24],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
    ],
  ],
  ['benchmarking', [['198.18.0.0', 15]]],
  ['broadcast', [['255.255.255.255', 32]]],
  ['multicast', [['224.0.0.0', 4]]],
  [
    'reserved',
    [
      ['240.0.0.0', 4],
      ['192.88.99.0', 24],
    ],
  ],
];

const IPV6_SPECIAL: Array<[string, Cidr[]]> = [
  ['unspecified', [['::', 128]]],
  ['loopback', [['::1', 128]]],
  ['localUseNat64', [['64:ff9b:1::', 48]]],
  ['discard', [['100::', 64]]],
  ['benchmarking', [['2001:2::', 48]]],
  [
    'documentation',
    [
      ['2001:db8::', 32],
      ['3fff::', 20],
    ],
  ],
  ['protocolAssignments', [['2001::', 23]]],
  ['uniqueLocal', [['fc00::', 7]]],
  ['linkLocal', [['fe80::', 10]]],
  ['deprecatedSiteLocal', [['fec0::', 10]]],
  ['multicast', [['ff00::', 8]]],
  [
    'notGlobalUnicast',
    [
      ['::', 3],
      ['4000::', 2],
      ['8000::', 1],
    ],
  ],
];

/** IPv6 ranges whose addresses carry an IPv4 address, and where it sits. */
const EMBEDDINGS: Array<{ name: string; cidr: Cidr; ipv4Of: (bytes: number[]) => number[][] }> = [
  { name: 'IPv4-mapped (::ffff:0:0/96)', cidr: ['::ffff:0:0', 96], ipv4Of: (b) => [b.slice(12)] },
  { name: 'IPv4-translated (::ffff:0:0:0/96)', cidr: ['::ffff:0:0:0', 96], ipv4Of: (b) => [b.slice(12)] },
  { name: 'NAT64 (64:ff9b::/96)', cidr: ['64:ff9b::', 96], ipv4Of: (b) => [b.slice(12)] },
  { name: '6to4 (2002::/16)', cidr: ['2002::', 16], ipv4Of: (b) => [b.slice(2, 6)] },
  // Teredo: the server's address in the clear, the client's with every bit inverted.
  { name: 'Teredo (2001::/32)', cidr: ['2001::', 32], ipv4Of: (b) => [b.slice(4, 8), b.slice(12).map((x) => x ^ 0xff)] },
  // Deprecated IPv4-compatible addresses; :: and ::1 are IPv6's own and are judged as such.
  {
    name: 'IPv4-compatible (::/96)',
    cidr: ['::', 96],
    ipv4Of: (b) => (b.slice(12).every((x, i) => x === 0 || (i === 3 && x === 1)) ? [] : [b.slice(12)]),
  },
];

const parseTable = <A extends ipaddr.IPv4 | ipaddr.IPv6>(table: Array<[string, Cidr[]]>, parse: (s: string) => A) =>
  table.map(([name, cidrs]) => [name, cidrs.map(([base, bits]) => [parse(base), bits] as [A, number])] as const);
const IPV4_TABLE = parseTable(IPV4_SPECIAL, (s) => ipaddr.IPv4.parse(s));
const IPV6_TABLE = parseTable(IPV6_SPECIAL, (s) => ipaddr.IPv6.parse(s));
const EMBEDDING_TABLE = EMBEDDINGS.map((e) => ({ ...e, base: ipaddr.IPv6.parse(e.cidr[0]), bits: e.cidr[1] }));

interface Refusal {
  range: string;
  embedded?: { ipv4: string; form: string };
}

/** SSRF: an IPv6 address carrying an IPv4 one (mapped, compatible, NAT64, 6to4, Teredo) is judged by that IPv4. */
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
      const refusal = judge(host);
      return refusal ? refuse(`target host ${host} is ${describe(refusal)}`) : { allowed: true };
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
      const refusal = judge(address);
      if (refusal) return refuse(`target host ${host} resolves to ${address}, ${describe(refusal)}`);
    }
    return { allowed: true };
  }

  /** The name may resolve differently at connect time (DNS rebinding). Undefined when private targets are allowed. */
  connectLookup(): LookupFunction | undefined {
    if (this.options.allowPrivateTargets) return undefined;
    return (hostname, options, callback) => {
      this.resolve(hostname).then(
        (all) => {
          const addresses = options.family === 4 || options.family === 6 ? all.filter((a) => a.family === options.family) : all;
          const refused = addresses.map((a) => ({ address: a.address, refusal: judge(a.address) })).find((a) => a.refusal !== null);
          if (refused || addresses.length === 0) {
            const why = refused
              ? `${hostname} resolves to ${refused.address}, ${describe(refused.refusal!)}`
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

/** Null when public. */
export function nonPublicRange(address: string): string | null {
  return judge(address)?.range ?? null;
}

function judge(address: string): Refusal | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return { range: 'invalid' };
  }
  return parsed.kind() === 'ipv4' ? judgeIPv4(parsed as ipaddr.IPv4) : judgeIPv6(parsed as ipaddr.IPv6);
}

function judgeIPv4(address: ipaddr.IPv4): Refusal | null {
  const special = IPV4_TABLE.find(([, cidrs]) => cidrs.some((cidr) => address.match(cidr)));
  if (special) return { range: special[0] };
  const range = address.range();
  return range === 'unicast' ? null : { range };
}

function judgeIPv6(address: ipaddr.IPv6): Refusal | null {
  const embedding = EMBEDDING_TABLE.find((e) => address.match(e.base, e.bits));
  if (embedding) {
    const bytes = address.toByteArray();
    for (const octets of embedding.ipv4Of(bytes)) {
      const ipv4 = new ipaddr.IPv4(octets);
      const refusal = judgeIPv4(ipv4);
      if (refusal) return { range: refusal.range, embedded: { ipv4: ipv4.toString(), form: embedding.name } };
    }
    if (embedding.ipv4Of(bytes).length > 0) return null;
  }
  const special = IPV6_TABLE.find(([, cidrs]) => cidrs.some((cidr) => address.match(cidr)));
  if (special) return { range: special[0] };
  const range = address.range();
  return range === 'unicast' ? null : { range };
}

/** "a loopback address", or "a loopback address (127.0.0.1 inside an IPv4-compatible (::/96) address)". */
function describe(refusal: Refusal): string {
  const name = `${RANGE_NAMES[refusal.range] ?? `a non-public (${refusal.range})`} address`;
  return refusal.embedded ? `${name} (${refusal.embedded.ipv4} inside an ${refusal.embedded.form} address)` : name;
}

function refuse(reason: string): TargetVerdict {
  return { allowed: false, reason };
}
