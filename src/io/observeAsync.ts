import { Observable } from 'rxjs';

/**
 * An `Observable` over an async iterable made per subscription with an `AbortSignal`:
 * values are pushed as the iterable yields them, completion and errors reach the subscriber,
 * and unsubscribing aborts the signal (so a read waiting in follow mode stops) and ends the loop
 * (so a generator's `finally` — closing its file — runs).
 *
 * @param make - builds the iterable for one subscription
 */
export function observeAsync<T>(make: (signal: AbortSignal) => AsyncIterable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    void (async () => {
      try {
        for await (const value of make(controller.signal)) {
          if (subscriber.closed) break;
          subscriber.next(value);
        }
        subscriber.complete();
      } catch (error) {
        subscriber.error(error);
      }
    })();
    return () => controller.abort();
  });
}
