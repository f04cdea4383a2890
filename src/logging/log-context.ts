import { AsyncLocalStorage } from 'node:async_hooks';

/** The ids every log line carries where they apply: the request, the healing cycle, the incident. */
export interface LogContext {
  requestId?: string;
  cycleId?: string;
  incidentId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to the current context (the outer ids stay). */
export function runWithLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/**
 * Adds `fields` for the rest of the current async function and what it awaits or starts; its
 * caller keeps its own context. For code that learns an id midway (a cycle's id) without re-nesting.
 */
export function enterLogContext(fields: LogContext): void {
  storage.enterWith({ ...storage.getStore(), ...fields });
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

/** The context as log-record fields (snake_case, like the API), without the unset ones. */
export function logContextFields(context: LogContext = currentLogContext()): Record<string, string> {
  const fields: Record<string, string> = {};
  if (context.requestId) fields.request_id = context.requestId;
  if (context.cycleId) fields.cycle_id = context.cycleId;
  if (context.incidentId) fields.incident_id = context.incidentId;
  return fields;
}
