import type { LookupAddress } from 'node:dns';
import { HostResolver, nonPublicRange, TargetGuard } from './target-guard';

function fakeResolver(table: Record<string, string[] | Error>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    const entry = table[hostname];
    if (entry instanceof Error) throw entry;
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return entry.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

const resolver = fakeResolver({
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  localhost: ['127.0.0.1', '::1'],
  'metadata.internal': ['169.254.169.254'],
  'mixed.example.com': ['93.184.215.14', '10.0.0.5'],
  'nat.example.com': ['100.64.1.2'],
  'empty.example.com': [],
  'compat.example.com': ['::7f00:1'],
  'nat64.example.com': ['64:ff9b::a9fe:a9fe'],
  'public-nat64.example.com': ['64:ff9b::808:808'],
  'flaky.example.com': Object.assign(new Error('getaddrinfo EAI_AGAIN flaky.example.com'), { code: 'EAI_AGAIN' }),
});

describe('TargetGuard (private targets refused)', () => {
  const guard = new TargetGuard({ allowPrivateTargets: false }, resolver);

  it.each([
    ['https://hooks.example.com/webhook', null],
    ['http://93.184.215.14:8080/in', null],
    ['https://[2606:4700:4700::1111]/hook', null],
    ['http://127.0.0.1:3000/hook', /127\.0\.0\.1 is a loopback address/],
    ['http://127.1/hook', /127\.0\.0\.1 is a loopback address/],
    ['http://2130706433/hook', /127\.0\.0\.1 is a loopback address/],
    ['http://[::1]/hook', /::1 is a loopback address/],
    ['http://10.1.2.3/hook', /10\.1\.2\.3 is a private address/],
    ['http://172.16.0.1/hook', /private address/],
    ['http://192.168.1.10/hook', /private address/],
    ['http://169.254.169.254/latest/meta-data', /link-local address/],
    ['http://[fe80::1]/hook', /link-local address/],
    ['http://[fd12:3456::1]/hook', /unique-local address/],
    ['http://100.64.0.1/hook', /carrier-grade NAT \(CGNAT\) address/],
    ['http://224.0.0.1/hook', /multicast address/],
    ['http://[ff02::1]/hook', /multicast address/],
    ['http://0.0.0.0/hook', /unspecified address/],
    ['http://[::]/hook', /unspecified address/],
    ['http://[::ffff:10.0.0.1]/hook', /private address/],
    ['http://localhost:8080/hook', /localhost resolves to 127\.0\.0\.1, a loopback address/],
    ['http://metadata.internal/', /resolves to 169\.254\.169\.254, a link-local address/],
    ['https://mixed.example.com/hook', /resolves to 10\.0\.0\.5, a private address/],
    ['https://nat.example.com/hook', /CGNAT/],
    ['https://empty.example.com/hook', /resolves to no address/],
    ['https://unknown.example.com/hook', /could not be resolved \(ENOTFOUND\)/],
    ['https://flaky.example.com/hook', /could not be resolved \(EAI_AGAIN\)/],
    ['ftp://hooks.example.com/file', /scheme "ftp" is not allowed; only http and https/],
    ['file:///etc/passwd', /scheme "file" is not allowed/],
    ['not a url', /is not a valid URL/],
  ])('%s → %s', async (target, refusal) => {
    const verdict = await guard.check(target);
    if (refusal === null) {
      expect(verdict).toEqual({ allowed: true });
    } else {
      expect(verdict.allowed).toBe(false);
      expect(verdict.allowed === false && verdict.reason).toMatch(refusal);
    }
  });

  it('does not resolve IP literals', async () => {
    const counting = fakeResolver({});
    await new TargetGuard({ allowPrivateTargets: false }, counting).check('http://8.8.8.8/hook');
    expect(counting.calls).toEqual([]);
  });
});

/** Every spelling the guard can meet: as the URL parser normalizes it and as a resolver answers it. */
describe('TargetGuard: special-purpose address spellings', () => {
  const guard = new TargetGuard({ allowPrivateTargets: false }, resolver);
  const inside = (ipv4: string, form: string) => new RegExp(`${ipv4.replace(/\./g, '\\.')} inside an ${form}`);

  it.each<[string, RegExp | null]>([
    // IPv4-compatible ::/96, the spellings that used to pass
    ['http://[::7f00:1]/', inside('127.0.0.1', 'IPv4-compatible')],
    ['http://[::a9fe:a9fe]/', inside('169.254.169.254', 'IPv4-compatible')],
    ['http://[::127.0.0.1]/', /loopback address \(127\.0\.0\.1 inside an IPv4-compatible/],
    ['http://[::10.0.0.1]/', /private address/],
    ['http://[::0.0.0.2]/', /"this network"/],
    // IPv4-mapped ::ffff:0:0/96 and IPv4-translated ::ffff:0:0:0/96
    ['http://[::ffff:127.0.0.1]/', inside('127.0.0.1', 'IPv4-mapped')],
    ['http://[0:0:0:0:0:ffff:7f00:1]/', inside('127.0.0.1', 'IPv4-mapped')],
    ['http://[::ffff:a9fe:a9fe]/', /link-local address/],
    ['http://[::ffff:0:7f00:1]/', inside('127.0.0.1', 'IPv4-translated')],
    // NAT64: the well-known prefix by its IPv4, the local-use prefix refused outright
    ['http://[64:ff9b::7f00:1]/', inside('127.0.0.1', 'NAT64')],
    ['http://[64:ff9b::169.254.169.254]/', inside('169.254.169.254', 'NAT64')],
    ['http://[64:ff9b::c0a8:1]/', /private address \(192\.168\.0\.1/],
    ['http://[64:ff9b:1::a00:1]/', /local-use NAT64/],
    ['http://[64:ff9b:1:ffff::808:808]/', /local-use NAT64/],
    // 6to4 2002::/16 and Teredo 2001::/32 (server in the clear, client inverted)
    ['http://[2002:7f00:1::]/', inside('127.0.0.1', '6to4')],
    ['http://[2002:a9fe:a9fe::1]/', /link-local address/],
    ['http://[2002:c0a8:101::1]/', /private address \(192\.168\.1\.1/],
    ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', inside('127.0.0.1', 'Teredo')],
    ['http://[2001:0:a00:1:8000:63bf:3fff:fdd2]/', inside('10.0.0.1', 'Teredo')],
    // IPv6's own special-purpose ranges
    ['http://[::]/', /unspecified address/],
    ['http://[0:0:0:0:0:0:0:1]/', /loopback address/],
    ['http://[febf::1]/', /link-local address/],
    ['http://[fec0::1]/', /site-local address/],
    ['http://[fc00::1]/', /unique-local address/],
    ['http://[fd00::1]/', /unique-local address/],
    ['http://[ff05::2]/', /multicast address/],
    ['http://[100::1]/', /discard-only address/],
    ['http://[2001:db8::1]/', /documentation address/],
    ['http://[3fff::1]/', /documentation address/],
    ['http://[2001:2::1]/', /benchmarking address/],
    ['http://[2001:10::1]/', /IETF protocol assignment address/],
    ['http://[2001:20::1]/', /IETF protocol assignment address/],
    ['http://[5f00::1]/', /non-global-unicast/],
    ['http://[4000::1]/', /non-global-unicast/],
    // IPv4 in every notation the URL parser accepts
    ['http://0x7f.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://0177.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://0x7f000001/', /127\.0\.0\.1 is a loopback address/],
    ['http://017700000001/', /127\.0\.0\.1 is a loopback address/],
    ['http://127.0.0.1./', /127\.0\.0\.1 is a loopback address/],
    ['http://0xa9fea9fe/', /169\.254\.169\.254 is a link-local address/],
    ['http://0.1.2.3/', /"this network"/],
    ['http://100.127.255.255/', /CGNAT/],
    ['http://172.31.255.255/', /private address/],
    ['http://192.0.0.8/', /IETF protocol assignment address/],
    ['http://192.0.2.1/', /documentation address/],
    ['http://198.51.100.7/', /documentation address/],
    ['http://203.0.113.9/', /documentation address/],
    ['http://198.18.0.1/', /benchmarking address/],
    ['http://198.19.255.255/', /benchmarking address/],
    ['http://192.88.99.1/', /reserved address/],
    ['http://240.0.0.1/', /reserved address/],
    ['http://239.255.255.250/', /multicast address/],
    ['http://255.255.255.255/', /broadcast address/],
    // What a resolver may answer
    ['http://compat.example.com/', /resolves to ::7f00:1, a loopback address \(127\.0\.0\.1 inside an IPv4-compatible/],
    ['http://nat64.example.com/', /resolves to 64:ff9b::a9fe:a9fe, a link-local address/],
    // Public addresses, also when carried inside IPv6
    ['http://8.8.8.8/', null],
    ['http://100.128.0.1/', null],
    ['http://198.20.0.1/', null],
    ['http://172.32.0.1/', null],
    ['http://[::ffff:8.8.8.8]/', null],
    ['http://[64:ff9b::808:808]/', null],
    ['http://[2002:808:808::1]/', null],
    ['http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/', null],
    ['http://[2a00:1450:4001:80b::200e]/', null],
    ['http://public-nat64.example.com/', null],
  ])('%s → %s', async (target, refusal) => {
    const verdict = await guard.check(target);
    if (refusal === null) {
      expect(verdict).toEqual({ allowed: true });
    } else {
      expect(verdict).toEqual({ allowed: false, reason: expect.stringMatching(refusal) });
    }
  });
});

describe('TargetGuard (private targets allowed)', () => {
  const counting = fakeResolver({});
  const guard = new TargetGuard({ allowPrivateTargets: true }, counting);

  it.each(['http://127.0.0.1:3000/hook', 'http://localhost/hook', 'http://10.0.0.1/hook', 'https://[::1]/'])(
    'allows %s without resolving it',
    async (target) => {
      expect(await guard.check(target)).toEqual({ allowed: true });
      expect(counting.calls).toEqual([]);
    },
  );

  it('still refuses other schemes', async () => {
    expect(await guard.check('gopher://127.0.0.1/')).toEqual({ allowed: false, reason: expect.stringMatching(/scheme "gopher"/) });
  });

  it('adds no connect-time lookup', () => {
    expect(guard.connectLookup()).toBeUndefined();
  });
});

describe('TargetGuard.connectLookup (re-checked when the socket connects)', () => {
  const lookup = new TargetGuard({ allowPrivateTargets: false }, resolver).connectLookup()!;
  const run = (hostname: string, options: { all?: boolean; family?: number }) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      lookup(hostname, options, (err, address, family) => resolve({ err, address, family })),
    );

  it('refuses a name that resolves to a private address', async () => {
    const { err } = await run('mixed.example.com', { all: true });
    expect(err?.code).toBe('ETARGETREFUSED');
    expect(err?.message).toMatch(/10\.0\.0\.5, a private address/);
  });

  it('answers in the shape net asked for', async () => {
    expect((await run('hooks.example.com', { all: true })).address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
    ]);
    expect(await run('hooks.example.com', { family: 6 })).toEqual({
      err: null,
      address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
      family: 6,
    });
  });

  it('judges an IPv6 answer by the IPv4 address inside it', async () => {
    const { err } = await run('compat.example.com', { all: true });
    expect(err?.code).toBe('ETARGETREFUSED');
    expect(err?.message).toMatch(/127\.0\.0\.1 inside an IPv4-compatible/);
  });

  it('passes resolver errors through', async () => {
    expect((await run('flaky.example.com', {})).err?.code).toBe('EAI_AGAIN');
  });
});

describe('nonPublicRange', () => {
  it.each([
    ['8.8.8.8', null],
    ['2001:4860:4860::8888', null],
    ['127.0.0.53', 'loopback'],
    ['::ffff:192.168.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['255.255.255.255', 'broadcast'],
    ['not-an-ip', 'invalid'],
  ])('%s → %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });
});
