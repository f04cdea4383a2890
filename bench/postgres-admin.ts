import { Client } from 'pg';

// The benchmarks' scratch databases and the tests' databases are made the same way, each from its own admin URL
// (the tests import this from here: test/ is not built).

/** `adminUrl` (server, credentials) pointed at the database `name`. */
export function databaseUrlOn(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `work` on a connection of its own to `adminUrl`, closed after whatever `work` does. */
export async function withAdminClientOn<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
