import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../ormconfig';
import { embeddedUrlFile } from '../src/database/embedded-url-file';
import { formatBacktest, parseDuration, runBacktest } from '../src/predictors/backtest';
import { LEARNED_DEFAULTS } from '../src/predictors/learned-predictor.adapter';
import { SqlOutcomeHistory } from '../src/predictors/sql-outcome-history.adapter';

/** `npm run backtest -- --since 24h`: the recorded outcomes of the window through both predictors, side by side. */
async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--since');
  const sinceText = at >= 0 ? argv[at + 1] : '24h';
  const windowMs = parseDuration(sinceText ?? '');
  if (windowMs === null) {
    process.stderr.write(`--since must be a duration such as 24h, 90m or 7d (got ${JSON.stringify(sinceText)})\n`);
    return 2;
  }
  const urlFile = embeddedUrlFile(process.env.DATA_DIR ?? './data');
  const url = process.env.DATABASE_URL ?? (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : null);
  if (!url) {
    process.stderr.write('Set DATABASE_URL (or start the service on its embedded database first)\n');
    return 2;
  }
  const dataSource = await new DataSource(dataSourceOptions(url, 1)).initialize();
  try {
    const until = new Date();
    const since = new Date(until.getTime() - windowMs);
    const history = new SqlOutcomeHistory(dataSource);
    const training = await history.outcomes(new Date(since.getTime() - LEARNED_DEFAULTS.windowDays * 86_400_000), since);
    const scored = await history.outcomes(since, until);
    process.stdout.write(`${formatBacktest(runBacktest(training, scored), since, until)}\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
