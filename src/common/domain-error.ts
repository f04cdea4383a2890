import { HttpStatus } from '@nestjs/common';

/** The global filter maps these to HTTP with their code and message; anything else is a 500. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus = HttpStatus.BAD_REQUEST,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} not found`, HttpStatus.NOT_FOUND);
  }
}
