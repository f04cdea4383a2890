import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../common/domain-error';
import { SIGNING_KEYS_ADVICE, SigningKey } from '../config/signing-keys';

export type { SigningKey };

/** A secret as stored: AES-256-GCM under the key `keyId`, bound to its tenant+endpoint as associated data. */
export interface EncryptedSecret {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export class SigningNotConfiguredError extends DomainError {
  constructor() {
    super(
      'signing_not_configured',
      `Signing settings need SIGNING_KEYS (the key their secrets are encrypted under); set it and restart, ${SIGNING_KEYS_ADVICE}`,
      503,
    );
  }
}

export class SigningKeyUnknownError extends Error {
  constructor(readonly keyId: string) {
    super(`the secret is encrypted under key "${keyId}", which SIGNING_KEYS does not hold`);
    this.name = 'SigningKeyUnknownError';
  }
}

/** Encrypts under the current key; decrypts under any configured one. */
export class SecretCipher {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: readonly SigningKey[]) {
    if (keys.length === 0) throw new Error('SecretCipher needs at least one key');
    this.byId = new Map(keys.map((key) => [key.id, key.key]));
  }

  get currentKeyId(): string {
    return this.keys[0].id;
  }

  has(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  encrypt(secret: string, context: string): EncryptedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0].key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, iv, tag: cipher.getAuthTag(), ciphertext };
  }

  /** Throws when the key is unknown or the row was altered (or moved to another tenant+endpoint). */
  decrypt(secret: EncryptedSecret, context: string): string {
    const key = this.byId.get(secret.keyId);
    if (!key) throw new SigningKeyUnknownError(secret.keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, secret.iv);
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(secret.tag);
    return Buffer.concat([decipher.update(secret.ciphertext), decipher.final()]).toString('utf8');
  }
}

/** What the ciphertext is bound to: a row copied to another endpoint does not decrypt. */
export const secretContext = (tenantId: string, endpoint: string): string => `${tenantId}\n${endpoint}`;
