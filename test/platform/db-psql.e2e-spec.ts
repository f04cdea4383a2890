import { runCli } from '../utils/cli';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/** `npm run db:psql` on a PostgreSQL server; the embedded case is in embedded-database.e2e-spec.ts. */
describe('db:psql', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('opens psql on DATABASE_URL, naming it without credentials', () => {
    const url = new URL(db.url);
    url.password = 'psql-password-not-shown'; // the machine's PostgreSQL trusts local users
    const run = runCli('database/cli/db-psql.js', ['-Atc', 'SELECT current_database()'], { DATABASE_URL: url.toString() });
    expect(run.stdout.trim()).toBe(db.name);
    expect(run.stderr).toBe(`psql on postgres at 127.0.0.1:5432/${db.name} (DATABASE_URL)\n`);
    expect(run.status).toBe(0);
  });

  it('says how to get a database when the embedded one is not running', () => {
    const run = runCli('database/cli/db-psql.js', ['-c', 'SELECT 1'], { DATA_DIR: '/nonexistent-autoheal-data' });
    expect(run.stderr).toMatch(/^The embedded database lives inside the service: start it first \(npm start\), or set DATABASE_URL/);
    expect(run.status).toBe(1);
  });

  it("passes psql's exit status through", () => {
    const run = runCli('database/cli/db-psql.js', ['-c', 'SELECT * FROM no_such_table'], { DATABASE_URL: db.url });
    expect(run.stderr).toMatch(/relation "no_such_table" does not exist/);
    expect(run.status).not.toBe(0);
  });
});
