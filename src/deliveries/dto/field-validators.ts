import { ValidateBy } from 'class-validator';

export const isText = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'string' && value.length >= min && value.length <= max;

export const isIntegerBetween = (value: unknown, min: number, max: number): boolean =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max;

/** One constraint, so a bad value gets one message. */
export const IsText = (min: number, max: number) =>
  ValidateBy(
    {
      name: 'isText',
      constraints: [min, max],
      validator: { validate: (value: unknown) => isText(value, min, max) },
    },
    { message: min > 0 ? `must be a string of ${min} to ${max} characters` : `must be a string of at most ${max} characters` },
  );

/** One constraint, so a bad value gets one message instead of three. */
export const IsIntegerBetween = (min: number, max: number) =>
  ValidateBy(
    {
      name: 'isIntegerBetween',
      constraints: [min, max],
      validator: { validate: (value: unknown) => isIntegerBetween(value, min, max) },
    },
    { message: `must be an integer between ${min} and ${max}` },
  );
