/**
 * An error with the HTTP status it answers with and a message for the page (the words the CLI
 * would use): 400 a bad request (a flag, a filter), 403 refused, 404 not there, 409 not now.
 */
export class HttpError extends Error {
  /**
   * @param status - the HTTP status
   * @param message - what the page shows
   */
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
