import { readFileSync } from 'node:fs';
import type { AutohealRules } from './rules.types';
import { InvalidRulesError, validateRules } from './rules.validation';

/** Throws InvalidRulesError naming the file and every bad key. */
export function loadRules(configFile?: string): AutohealRules {
  if (!configFile) return validateRules({});

  let text: string;
  try {
    text = readFileSync(configFile, 'utf8');
  } catch (error) {
    throw new InvalidRulesError([`AUTOHEAL_CONFIG_FILE ${configFile}: cannot be read (${messageOf(error)})`], configFile);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InvalidRulesError([`AUTOHEAL_CONFIG_FILE ${configFile}: is not valid JSON (${messageOf(error)})`], configFile);
  }
  try {
    return validateRules(raw);
  } catch (error) {
    if (error instanceof InvalidRulesError) throw new InvalidRulesError(error.problems, configFile);
    throw error;
  }
}

// Duck-typed: errors from node:fs may come from another realm (jest's vm), where instanceof Error fails.
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
