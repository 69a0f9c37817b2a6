import { EventEmitter } from "node:events";

/**
 * In-process signals between the API, the job runner and the job event streams of one process: a job was
 * created or resumed (the runner claims it now instead of at its next poll), a job's row changed (its
 * event streams read it now instead of at their next poll). Other instances still find out by polling
 * (500 ms): the signals only take the fixed costs out of a job started and run in the same process.
 * @example const off = jobSignals.onChanged(jobId, () => wake()); ... off();
 */
class JobSignals {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open event stream and per runner: no leak warning for many of them.
    this.emitter.setMaxListeners(0);
  }

  /** A job became runnable (created, resumed). */
  runnable(): void {
    this.emitter.emit("runnable");
  }

  /** The job's row changed (progress, state); call after the change is committed. */
  changed(jobId: string): void {
    this.emitter.emit(`changed:${jobId}`);
  }

  onRunnable(listener: () => void): () => void {
    this.emitter.on("runnable", listener);
    return () => this.emitter.off("runnable", listener);
  }

  onChanged(jobId: string, listener: () => void): () => void {
    this.emitter.on(`changed:${jobId}`, listener);
    return () => this.emitter.off(`changed:${jobId}`, listener);
  }
}

export const jobSignals = new JobSignals();
