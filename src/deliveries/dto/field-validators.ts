import { ValidateBy, ValidationArguments } from 'class-validator';

const MAX_URL_LENGTH = 2048;
// RFC 9110 token: what an HTTP header name may be made of.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE_FORBIDDEN = /[\r\n\0]/;

export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || value !== value.trim()) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An absolute http(s) URL, kept as written (incidents group deliveries by this exact string). */
export const IsHttpUrl = () =>
  ValidateBy(
    { name: 'isHttpUrl', validator: { validate: isHttpUrl } },
    { message: `must be an absolute http or https URL (at most ${MAX_URL_LENGTH} characters)` },
  );

/** A string of min..max characters, as one constraint so a bad value gets one message. */
export const IsText = (min: number, max: number) =>
  ValidateBy(
    {
      name: 'isText',
      constraints: [min, max],
      validator: { validate: (value: unknown) => typeof value === 'string' && value.length >= min && value.length <= max },
    },
    { message: min > 0 ? `must be a string of ${min} to ${max} characters` : `must be a string of at most ${max} characters` },
  );

/** One constraint, so a bad value gets one message instead of three. */
export const IsIntegerBetween = (min: number, max: number) =>
  ValidateBy(
    {
      name: 'isIntegerBetween',
      constraints: [min, max],
      validator: { validate: (value: unknown) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max },
    },
    { message: `must be an integer between ${min} and ${max}` },
  );

/** Why `value` is not a usable set of HTTP headers, or null when it is. */
export function headersProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be an object of header name → string value';
  for (const [name, headerValue] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) return `"${name}" is not a valid HTTP header name`;
    if (typeof headerValue !== 'string') return `header "${name}" must have a string value`;
    if (HEADER_VALUE_FORBIDDEN.test(headerValue)) return `header "${name}" must not contain CR, LF or NUL`;
  }
  return null;
}

export const IsHeaderMap = () =>
  ValidateBy(
    { name: 'isHeaderMap', validator: { validate: (value: unknown) => headersProblem(value) === null } },
    { message: (args: ValidationArguments) => headersProblem(args.value) ?? 'must be an object of header name → string value' },
  );
