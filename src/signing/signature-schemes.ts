import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { SigningScheme } from './signing-settings-store.port';

export const DEFAULT_HMAC_HEADER = 'x-hub-signature-256';
export const DEFAULT_HMAC_PREFIX = 'sha256=';
export const DEFAULT_STRIPE_HEADER = 'stripe-signature';

/**
 * Signature headers a stored request may carry from its original send. With signing settings every one of them is
 * dropped: their timestamps are stale and a receiver would try them first.
 */
export const STALE_SIGNATURE_HEADERS: ReadonlySet<string> = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'x-hub-signature',
  'x-hub-signature-256',
  'stripe-signature',
]);

export interface SigningInput {
  scheme: SigningScheme;
  secret: string;
  header: string | null;
  prefix: string | null;
  /** standard-webhooks' webhook-id: the original message's, so a receiver dedupes the replay. */
  messageId: string;
  timestamp: Date;
  body: string;
}

/** Lower-case header names → values. */
export function signatureHeaders(input: SigningInput): Record<string, string> {
  const seconds = Math.floor(input.timestamp.getTime() / 1000);
  switch (input.scheme) {
    case 'standard-webhooks':
      return {
        'webhook-id': input.messageId,
        'webhook-timestamp': String(seconds),
        'webhook-signature': new Webhook(input.secret).sign(input.messageId, input.timestamp, input.body),
      };
    case 'hmac-sha256':
      return {
        [(input.header ?? DEFAULT_HMAC_HEADER).toLowerCase()]: `${input.prefix ?? DEFAULT_HMAC_PREFIX}${hmacHex(input.secret, input.body)}`,
      };
    case 'stripe-style':
      return {
        [(input.header ?? DEFAULT_STRIPE_HEADER).toLowerCase()]: `t=${seconds},v1=${hmacHex(input.secret, `${seconds}.${input.body}`)}`,
      };
  }
}

const hmacHex = (secret: string, data: string) => createHmac('sha256', secret).update(data, 'utf8').digest('hex');

/** Null when `secret` can sign with `scheme`, else what to fix. */
export function secretProblem(scheme: SigningScheme, secret: string): string | null {
  if (scheme !== 'standard-webhooks') return null;
  try {
    new Webhook(secret).sign('msg_check', new Date(0), '');
  } catch {
    return 'secret: a standard-webhooks secret is "whsec_" followed by the base64 of 24 to 64 random bytes';
  }
  const bytes = Buffer.from(secret.replace(/^whsec_/, ''), 'base64').length;
  if (bytes < 24 || bytes > 64) {
    return `secret: a standard-webhooks secret is "whsec_" followed by the base64 of 24 to 64 random bytes (got ${bytes} bytes)`;
  }
  return null;
}
