/** For logs: never the user info or query, which may hold a password. */
export function urlWithoutCredentials(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || defaultPort}${parsed.pathname.length > 1 ? parsed.pathname : ''}`;
  } catch {
    return '(unparsable URL)';
  }
}
