import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { hasUnicodeEscapes, rawJsonBody } from './raw-body';

/** A batch of 1000 deliveries with payloads fits. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const MAX_JSON_DEPTH = 64;
// Object mapping (class-transformer, spreads) drops or mangles these instead of keeping them as data.
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// With the u flag a proper surrogate pair is one code point; only an unpaired half is in Cs.
const UNPAIRED_SURROGATE = /\p{Cs}/u;

interface Hostile {
  path: Array<string | number>;
  problem: string;
}

/**
 * Runs before anything else reads the request: PostgreSQL text and jsonb reject NUL and unpaired surrogates,
 * and recursive mapping would overflow the stack on deep JSON. A 400 names where: `[3].payload.items[2].name`.
 */
export function inputLimitsMiddleware(req: Request, _res: Response, next: NextFunction): void {
  // A JSON body without escapes needs only its keys and depth looked at: most of the scan's cost is its strings.
  const raw = rawJsonBody(req);
  const bodyTexts = raw === undefined || hasUnicodeEscapes(raw);
  const problem = pathProblem(req.path) ?? describe(findHostile(req.query, 0)) ?? describe(findHostile(req.body, 0, bodyTexts));
  next(problem === null ? undefined : new BadRequestException(problem));
}

/** Placed right after the body parsers: their size and syntax errors say which limit was hit. */
export function bodyParserErrorMiddleware(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  if ((error as { type?: string })?.type === 'entity.too.large') {
    next(new PayloadTooLargeException(`Request body is larger than ${MAX_BODY_BYTES / (1024 * 1024)} MB; send fewer items per request`));
    return;
  }
  next(error);
}

function pathProblem(path: string): string | null {
  for (const segment of path.split('/')) {
    if (!segment.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return `path: segment "${segment}" is not valid percent-encoded UTF-8`;
    }
    if (decoded.includes('\u0000')) return 'path: must not contain the NUL character (%00)';
  }
  return null;
}

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (UNPAIRED_SURROGATE.test(text)) return 'must not contain an unpaired UTF-16 surrogate (e.g. a lone \\ud800)';
  return null;
}

function findHostile(value: unknown, depth: number, texts = true): Hostile | null {
  if (typeof value === 'string' && texts) {
    const problem = textProblem(value);
    return problem ? { path: [], problem } : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  if (depth >= MAX_JSON_DEPTH) return { path: [], problem: `nested deeper than ${MAX_JSON_DEPTH} levels; flatten it` };
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findHostile(value[index], depth + 1, texts);
      if (found) return { path: [index, ...found.path], problem: found.problem };
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    if (PROTOTYPE_KEYS.has(key)) return { path: [key], problem: `property ${key} should not exist` };
    const keyProblem = texts ? textProblem(key) : null;
    if (keyProblem) return { path: [], problem: `${keyProblem} in a key` };
    const found = findHostile((value as Record<string, unknown>)[key], depth + 1, texts);
    if (found) return { path: [key, ...found.path], problem: found.problem };
  }
  return null;
}

function describe(found: Hostile | null): string | null {
  if (!found) return null;
  const path = found.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
  return `${path || 'body'}: ${found.problem}`;
}

/**
 * The same limits for JSON that arrives inside a string (a delivery's `body`): null when PostgreSQL's jsonb can store
 * it, else the problem, with its path after `where` (`[0].body.items[2]: ...`). Depth counts from `depth`.
 */
export function jsonValueProblem(value: unknown, where: string, depth = 0): string | null {
  const found = findHostile(value, depth);
  if (!found) return null;
  const path = found.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
  return `${where}${path}: ${found.problem}`;
}
