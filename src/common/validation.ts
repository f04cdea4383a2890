import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

// When a value breaks several constraints, its type is what to fix first: "must be a string", not "too long".
const TYPE_CONSTRAINTS = ['whitelistValidation', 'isDefined', 'isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject'];

export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const index = /^\d+$/.test(error.property);
    const path = index ? `${prefix}[${error.property}]` : prefix ? `${prefix}.${error.property}` : error.property;
    const own = mainProblem(error.constraints);
    return [...(own === undefined ? [] : [`${path}: ${own}`]), ...describeValidationErrors(error.children ?? [], path)];
  });
}

function mainProblem(constraints: Record<string, string> = {}): string | undefined {
  const type = TYPE_CONSTRAINTS.find((name) => name in constraints);
  // class-validator runs (and lists) a field's decorators bottom-up: the last listed is the first written.
  return type === undefined ? Object.values(constraints).at(-1) : constraints[type];
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors).join('; ')),
  });
}
