import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  requestId?: string;
  cycleId?: string;
  incidentId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** The outer ids stay. */
export function runWithLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** For code that learns an id midway (a cycle's id) without re-nesting; the caller keeps its own context. */
export function enterLogContext(fields: LogContext): void {
  storage.enterWith({ ...storage.getStore(), ...fields });
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

export function logContextFields(context: LogContext = currentLogContext()): Record<string, string> {
  const fields: Record<string, string> = {};
  if (context.requestId) fields.request_id = context.requestId;
  if (context.cycleId) fields.cycle_id = context.cycleId;
  if (context.incidentId) fields.incident_id = context.incidentId;
  return fields;
}
