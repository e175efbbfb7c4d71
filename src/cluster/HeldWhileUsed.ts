/**
 * Resources a queue worker's jobs share by key (a run's open stack; its resolved options and
 * their thread pool), made on the first job that asks and kept while any job uses them. A worker
 * with `--concurrency 2` runs two jobs at once, possibly of two runs: a single cached resource,
 * replaced when the next job's key differed, closed the first run's thread pool under its
 * pending chunks (their promises never settled: the job hung holding its lock). Here a resource
 * is closed only when no job uses it and a newer key has been asked for; the latest one stays
 * open for the run's next job.
 */
export class HeldWhileUsed<T> {
  private readonly held = new Map<string, { value: Promise<T>; users: number }>();
  private latest: string | undefined;

  /** @param close - frees a resource (called once, when no job uses it) */
  constructor(private readonly close: (value: T) => unknown) {}

  /**
   * The resource for `key`, made by `make` if none is held; the caller must {@link release} it.
   * @param key - what identifies the resource (jobs with equal keys share it)
   * @param make - makes it (may be async); a failure is thrown to every caller waiting on it, and
   *   the key is forgotten so that the next job tries again
   */
  async acquire(key: string, make: () => T | Promise<T>): Promise<T> {
    let entry = this.held.get(key);
    if (!entry) {
      entry = { value: Promise.resolve().then(make), users: 0 };
      this.held.set(key, entry);
    }
    entry.users++;
    this.latest = key;
    this.sweep();
    try {
      return await entry.value;
    } catch (error) {
      entry.users--;
      if (this.held.get(key) === entry) this.held.delete(key);
      throw error;
    }
  }

  /** A job is done with `key`'s resource. */
  release(key: string): void {
    const entry = this.held.get(key);
    if (entry) entry.users--;
    this.sweep();
  }

  /** Close every resource (the worker stops: its jobs are done or abandoned). */
  async closeAll(): Promise<void> {
    const values = [...this.held.values()].map((e) => e.value);
    this.held.clear();
    for (const value of values) await value.then(this.close, () => undefined);
  }

  /** Close the resources no job uses, except the latest key's. */
  private sweep(): void {
    for (const [key, entry] of this.held) {
      if (entry.users > 0 || key === this.latest) continue;
      this.held.delete(key);
      void entry.value.then(this.close, () => undefined);
    }
  }
}
