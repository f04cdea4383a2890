import type { z } from 'zod';
import { DEFAULT_RULES } from './rules.defaults';
import { RULES_SCHEMA, show } from './rules.schema';
import type { AutohealRules } from './rules.types';

/** One line per problem, so a bad file is fixed in one pass. */
export class InvalidRulesError extends Error {
  constructor(
    readonly problems: string[],
    readonly source?: string,
  ) {
    super(`Invalid auto-heal rules${source ? ` in ${source}` : ''}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidRulesError';
  }
}

/** Objects merge deeply, arrays replace, tenant_overrides merge per tenant (`"tenant": null` removes a default tenant). */
export function validateRules(raw: unknown, defaults: AutohealRules = DEFAULT_RULES): AutohealRules {
  if (!isPlainObject(raw)) throw new InvalidRulesError([`(root): must be a JSON object (got ${show(raw)})`]);

  const merged = merge(defaults, raw) as Record<string, unknown>;
  if (isPlainObject(merged.tenant_overrides)) {
    for (const [tenant, override] of Object.entries(merged.tenant_overrides)) {
      if (override === null) delete merged.tenant_overrides[tenant];
    }
  }

  const result = RULES_SCHEMA.safeParse(merged);
  if (!result.success) throw new InvalidRulesError(problemsOf(result.error.issues));
  return deepFreeze(result.data);
}

// Unknown keys first: a misspelt key is the likeliest mistake and may explain the others.
function problemsOf(issues: readonly z.core.$ZodIssue[]): string[] {
  const unknownKeys = issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((key) => `${pathOf([...issue.path, key])}: ${issue.message}`) : [],
  );
  const badValues = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return [];
    // A bad record key is a problem of the record, not of a value under it.
    const path = issue.code === 'invalid_key' ? issue.path.slice(0, -1) : issue.path;
    return [`${pathOf(path)}: ${issue.message}`];
  });
  return [...unknownKeys, ...badValues];
}

function pathOf(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path.map(String)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) text = text ? `${text}.${key}` : key;
    else text = `${text}[${JSON.stringify(key)}]`;
  }
  return text || '(root)';
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    // defineProperty: a JSON key "__proto__" stays a plain (and then unknown) key instead of a prototype.
    const merged = Object.hasOwn(out, key) ? merge(out[key], value) : structuredClone(value);
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
