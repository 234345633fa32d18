/**
 * Cancellable jobs inside the score worker. Work runs in batches; between batches `checkpoint` reports progress
 * and yields to the event loop (a macrotask, so a pending `cancel` message is delivered), then throws if the job
 * was cancelled.
 */

/** Progress of a score job, as sent to the main thread. */
export interface ScoreProgress {
  /** 0…1 of the current phase. */
  done: number;
  phase: string;
  /** Samples (frames or windows) finished so far in this phase. */
  samples?: number;
  ms: number;
}

/** Thrown inside a job once it is cancelled; the client turns it into a rejected promise. */
export class CancelledError extends Error {
  constructor(id: number) {
    super(`Scoring job ${id} was cancelled.`);
    this.name = 'CancelledError';
  }
}

/** A running job's controls. */
export interface JobHandle {
  checkpoint(done: number, phase: string, samples?: number): Promise<void>;
}

/** Cancellation flags and progress throttling for all jobs. */
export class Jobs {
  readonly #cancelled = new Set<number>();
  readonly #yield: () => Promise<void>;

  constructor(yieldFn: () => Promise<void> = () => new Promise((r) => setTimeout(r, 0))) {
    this.#yield = yieldFn;
  }

  /** Marks a job cancelled; it stops at its next checkpoint. */
  cancel(id: number): boolean {
    this.#cancelled.add(id);
    return true;
  }

  /** Runs `fn` as job `id` with a checkpoint that reports at most every `everyMs`. */
  async run<T>(id: number, onProgress: ((p: ScoreProgress) => void) | undefined, fn: (job: JobHandle) => Promise<T>, everyMs = 100): Promise<T> {
    const t0 = performance.now();
    let last = -Infinity;
    const job: JobHandle = {
      checkpoint: async (done, phase, samples) => {
        const now = performance.now();
        if (onProgress && (now - last >= everyMs || done >= 1)) {
          last = now;
          onProgress({ done, phase, samples, ms: now - t0 });
        }
        await this.#yield();
        if (this.#cancelled.has(id)) throw new CancelledError(id);
      },
    };
    try {
      return await fn(job);
    } finally {
      this.#cancelled.delete(id);
    }
  }
}
