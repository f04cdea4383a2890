/** What the global exception filter answers for every error (AllExceptionsFilter). */
export class ApiErrorBody {
  /** The HTTP status, repeated. */
  statusCode: number;
  /** A snake_case code: `bad_request`, `not_found`, `tenant_forbidden`, `database_unavailable`, … */
  error: string;
  /** What went wrong; a 400 names each bad field (`limit: limit must be an integer between 1 and 1000`). */
  message: string;
  /** The `x-request-id` of the request: quote it when reporting a problem. */
  request_id: string;
}
