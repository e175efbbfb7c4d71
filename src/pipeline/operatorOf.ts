import { Observable } from 'rxjs';
import type { OperatorFunction } from 'rxjs';

/** A step that turns a stream's values into outputs, holding state between them. */
export interface StreamStep<I, O> {
  /** One value in; the outputs it completes (often none). */
  push(value: I): O[];
  /** The stream ended; the outputs still held. */
  finish(): O[];
}

/**
 * The RxJS operator of a stream step: a fresh step per subscription; each value pushed, its
 * outputs emitted; on completion the held ones, then complete. An error thrown by the step ends
 * the stream with it.
 * @param create - makes the step
 */
export function operatorOf<I, O>(create: () => StreamStep<I, O>): OperatorFunction<I, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      const step = create();
      const emit = (run: () => O[]): boolean => {
        try {
          for (const out of run()) subscriber.next(out);
          return true;
        } catch (error) {
          subscriber.error(error);
          return false;
        }
      };
      return source.subscribe({
        next: (value) => void emit(() => step.push(value)),
        error: (error: unknown) => subscriber.error(error),
        complete() {
          if (emit(() => step.finish())) subscriber.complete();
        },
      });
    });
}
