import { randomBytes } from 'node:crypto';
import { parseSigningKeys } from '../config/signing-keys';
import { SecretCipher, secretContext, SigningKeyUnknownError } from './secret-cipher';

const key = () => randomBytes(32);
const context = secretContext('tenant-a', 'https://a.example.com/in');

describe('SecretCipher (AES-256-GCM)', () => {
  it('round-trips under the current key, with a fresh IV each time, and never holds the secret in clear', () => {
    const cipher = new SecretCipher([{ id: 'k1', key: key() }]);
    const a = cipher.encrypt('whsec_abc', context);
    const b = cipher.encrypt('whsec_abc', context);
    expect(a.keyId).toBe('k1');
    expect(a.iv).toHaveLength(12);
    expect(a.tag).toHaveLength(16);
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from('whsec_abc'))).toBe(false);
    expect(cipher.decrypt(a, context)).toBe('whsec_abc');
  });

  it('rotates: new writes use the first key, rows under an older key still decrypt', () => {
    const k1 = { id: 'k1', key: key() };
    const k2 = { id: 'k2', key: key() };
    const old = new SecretCipher([k1]).encrypt('s3cret', context);
    const rotated = new SecretCipher([k2, k1]);
    expect(rotated.currentKeyId).toBe('k2');
    expect(rotated.decrypt(old, context)).toBe('s3cret');
    expect(rotated.encrypt('s3cret', context).keyId).toBe('k2');
    expect(() => new SecretCipher([k2]).decrypt(old, context)).toThrow(SigningKeyUnknownError);
  });

  it('refuses a secret moved to another tenant+endpoint, or altered', () => {
    const cipher = new SecretCipher([{ id: 'k1', key: key() }]);
    const sealed = cipher.encrypt('s3cret', context);
    expect(() => cipher.decrypt(sealed, secretContext('tenant-b', 'https://a.example.com/in'))).toThrow();
    const tampered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext.map((b, i) => (i === 0 ? b ^ 1 : b))) };
    expect(() => cipher.decrypt(tampered, context)).toThrow();
  });
});

describe('parseSigningKeys (SIGNING_KEYS)', () => {
  const b64 = (buf: Buffer) => buf.toString('base64');

  it('reads id:base64 pairs, the first being current', () => {
    const [a, b] = [key(), key()];
    const keys = parseSigningKeys(` k2:${b64(a)} , k1:${b64(b)}`);
    expect(keys).toEqual([
      { id: 'k2', key: a },
      { id: 'k1', key: b },
    ]);
  });

  it.each([
    ['', /no key given/],
    [`${b64(key())}`, /entry 1 must be <key id>:<base64 key>/],
    [`k1:${b64(key())},k1:${b64(key())}`, /key id "k1" appears twice/],
    ['k1:not base64!', /key "k1" is not base64/],
    [`k1:${b64(randomBytes(16))}`, /key "k1" is 16 bytes; AES-256 needs exactly 32 random bytes/],
    [`k1:${b64(Buffer.alloc(32, 7))}`, /key "k1" is too weak/],
    [`k1:${b64(Buffer.from('abababababababababababababababab'))}`, /key "k1" is too weak/],
  ])('refuses %j', (value, problem) => {
    expect(parseSigningKeys(value)).toMatch(problem);
  });
});
