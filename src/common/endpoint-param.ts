import type { Request } from 'express';
import { DomainError } from '../common/domain-error';
import { checkWebhookUrl } from '../common/webhook-url';

/**
 * URL-encoded or raw, as in the guide's curl example (`/autoheal/cooldown/https://api.example.com/webhook`):
 * read from the raw path, since a raw URL spans several path segments.
 */
export function endpointFromPath(req: Request, prefix: string): string {
  const [path, query] = req.originalUrl.split(/\?(.*)/s);
  if (query !== undefined) {
    throw new DomainError(
      'invalid_endpoint',
      'endpoint: contains "?"; URL-encode the endpoint (e.g. with encodeURIComponent) so its query string is part of it',
    );
  }
  const start = path.indexOf(prefix);
  const raw = start >= 0 ? path.slice(start + prefix.length) : '';
  let endpoint: string;
  try {
    endpoint = decodeURIComponent(raw);
  } catch {
    throw new DomainError('invalid_endpoint', `endpoint: "${raw}" is not valid URL encoding`);
  }
  // Some clients and proxies collapse `//` in a path.
  endpoint = endpoint.replace(/^(https?):\/(?!\/)/, '$1://');
  return assertEndpointUrl(endpoint);
}

export function assertEndpointUrl(endpoint: string): string {
  const checked = checkWebhookUrl(endpoint);
  if (!checked.ok) throw new DomainError('invalid_endpoint', `endpoint: "${endpoint}" ${checked.problem}`);
  return endpoint;
}
