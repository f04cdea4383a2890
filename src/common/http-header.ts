import { ValidateBy, ValidationArguments } from 'class-validator';

// RFC 9110 token.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 field-value: tab, space, visible ASCII and obs-text (Latin-1); never CR, LF or NUL.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const LINE_BREAK_OR_NUL = /[\r\n\0]/;

export const isHeaderName = (name: string): boolean => HEADER_NAME.test(name);
export const isHeaderValue = (value: string): boolean => HEADER_VALUE.test(value);

/** Null when the replayer can send `value` as stored. */
export function headersProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of header name → string value';
  for (const [name, headerValue] of Object.entries(value)) {
    if (!isHeaderName(name)) return `"${name}" is not a valid HTTP header name`;
    if (typeof headerValue !== 'string') return `header "${name}" must have a string value`;
    if (LINE_BREAK_OR_NUL.test(headerValue)) return `header "${name}" must not contain CR, LF or NUL`;
    if (!isHeaderValue(headerValue)) return `header "${name}" may hold only tab, space, visible ASCII and Latin-1 characters`;
  }
  return null;
}

export const IsHeaderMap = () =>
  ValidateBy(
    { name: 'isHeaderMap', validator: { validate: (value: unknown) => headersProblem(value) === null } },
    { message: (args: ValidationArguments) => headersProblem(args.value) ?? 'must be an object of header name → string value' },
  );
