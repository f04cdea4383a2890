import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRules } from './rules.loader';
import { DEFAULT_RULES } from './rules.defaults';
import { InvalidRulesError } from './rules.validation';

describe('loadRules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'autoheal-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const errorOf = (file?: string): InvalidRulesError => {
    try {
      loadRules(file);
    } catch (error) {
      if (error instanceof InvalidRulesError) return error;
      throw error;
    }
    throw new Error('loadRules did not throw');
  };

  it.each([undefined, ''])('returns the defaults when no file is named (%j)', (file) => {
    expect(loadRules(file)).toEqual(DEFAULT_RULES);
  });

  it('overrides the defaults with the file', () => {
    const file = write(
      'partial.json',
      JSON.stringify({ global_safety: { dry_run: true }, strategy_limits: { REPLAY_RECENT: { cooldown_minutes: 0.05 } } }),
    );
    const rules = loadRules(file);
    expect(rules.global_safety.dry_run).toBe(true);
    expect(rules.strategy_limits.REPLAY_RECENT).toEqual({ ...DEFAULT_RULES.strategy_limits.REPLAY_RECENT, cooldown_minutes: 0.05 });
    expect(rules.global_safety.max_heals_per_hour).toBe(100);
  });

  it('names the file and the key for an invalid value', () => {
    const file = write('bad.json', JSON.stringify({ strategy_limits: { REPLAY_RECENT: { max_deliveries: -3 } } }));
    const error = errorOf(file);
    expect(error.source).toBe(file);
    expect(error.message).toBe(
      `Invalid auto-heal rules in ${file}:\n  - strategy_limits.REPLAY_RECENT.max_deliveries: must be an integer >= 1 (got -3)`,
    );
  });

  it('names a missing file', () => {
    const file = join(dir, 'missing.json');
    expect(errorOf(file).problems).toEqual([expect.stringMatching(new RegExp(`^AUTOHEAL_CONFIG_FILE ${file}: cannot be read \\(ENOENT`))]);
  });

  it('names a file that is a directory', () => {
    expect(errorOf(dir).problems).toEqual([expect.stringMatching(new RegExp(`^AUTOHEAL_CONFIG_FILE ${dir}: cannot be read \\(EISDIR`))]);
  });

  it.each([
    ['truncated.json', '{"global_safety": {'],
    ['empty.json', ''],
    ['comments.json', '// rules\n{}'],
  ])('names a file that is not valid JSON (%s)', (name, text) => {
    const file = write(name, text);
    expect(errorOf(file).problems).toEqual([expect.stringMatching(new RegExp(`^AUTOHEAL_CONFIG_FILE ${file}: is not valid JSON \\(`))]);
  });

  it('refuses a JSON document that is not an object', () => {
    const file = write('array.json', '[]');
    expect(errorOf(file).message).toBe(`Invalid auto-heal rules in ${file}:\n  - (root): must be a JSON object (got [])`);
  });
});
