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
  'localhost': ['127.0.0.1', '::1'],
  'metadata.internal': ['169.254.169.254'],
  'mixed.example.com': ['93.184.215.14', '10.0.0.5'],
  'nat.example.com': ['100.64.1.2'],
  'empty.example.com': [],
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
    ['64:ff9b::a00:1', 'rfc6052'],
    ['255.255.255.255', 'broadcast'],
    ['not-an-ip', 'invalid'],
  ])('%s → %s', (address, range) => {
    expect(nonPublicRange(address)).toBe(range);
  });
});
