import { writeSync } from "node:fs";

export interface BatchedDestinationOptions {
  /** The file descriptor lines go to (1: standard output). */
  fd: number;
  /** Lines are written at most this long after they were logged, ms. */
  intervalMs?: number;
  /** Written at once when this many characters have gathered. */
  highWaterChars?: number;
  /** Replaces `fs.writeSync` (tests: partial writes, EAGAIN). */
  write?: (fd: number, data: Buffer) => number;
}

/** A pipe whose reader is busy answers EAGAIN on a non-blocking descriptor: wait this long, then go on. */
const EAGAIN_WAIT_MS = 5;
/** At exit, a stuck reader gets this long before the remaining lines are given up. */
const EXIT_PATIENCE_MS = 2000;

/**
 * A pino destination that keeps log lines in memory and writes them in one system call every
 * `intervalMs` (or sooner, once `highWaterChars` have gathered), and synchronously at process exit,
 * so a request only copies its line into a buffer. sonic-boom's async mode cost about 5 µs per line here:
 * each write measures the byte length of its whole pending chunk (`npm run bench -- me-status-load`).
 * Lines are written whole and in order; a SIGKILL loses at most the last `intervalMs` of them.
 * @example const log = pino({ level: "info" }, new BatchedDestination({ fd: 1 }));
 */
export class BatchedDestination {
  /**
   * The gathered lines as UTF-8, in one buffer reused for the life of the process: a line is encoded at
   * once and its string dies young. Kept as strings until the next write, 4,000 lines a second outlived
   * a young-generation collection or two each and were copied, then promoted, for V8 to collect again
   * (the garbage collector was a third of the server's CPU in `npm run bench -- me-status-load` at info).
   */
  private readonly gathered: Buffer;
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Bytes a busy reader left unwritten, written before any newer line. */
  private rest: Buffer | undefined;
  private readonly fd: number;
  private readonly intervalMs: number;
  private readonly highWaterBytes: number;
  private readonly writeFd: (fd: number, data: Buffer) => number;
  private readonly onExit = () => this.flushSync();

  constructor({
    fd,
    intervalMs = 100,
    highWaterChars = 64 * 1024,
    write = writeSync,
  }: BatchedDestinationOptions) {
    this.fd = fd;
    this.intervalMs = intervalMs;
    this.highWaterBytes = highWaterChars;
    // Room for a line of up to highWaterChars UTF-16 units (3 bytes each at most) past the mark.
    this.gathered = Buffer.allocUnsafeSlow(highWaterChars * 4);
    this.writeFd = write;
    process.on("exit", this.onExit);
  }

  /** Called by pino with one serialized line (ending in a newline). */
  write(line: string): void {
    if (line.length * 3 > this.gathered.length - this.used) {
      // Doesn't surely fit: what has gathered goes first, and a line longer than the buffer on its own.
      this.writeOut();
      if (line.length * 3 > this.gathered.length) {
        this.rest = this.rest ? Buffer.concat([this.rest, Buffer.from(line)]) : Buffer.from(line);
        this.writeOut();
        return;
      }
    }
    this.used += this.gathered.write(line, this.used);
    if (this.used >= this.highWaterBytes) this.writeOut();
    else this.timer ??= setTimeout(() => this.writeOut(), this.intervalMs).unref();
  }

  /** pino's `logger.flush(cb)`: everything written, then `cb`. */
  flush(cb?: (error?: Error) => void): void {
    try {
      this.flushSync();
    } catch (error) {
      cb?.(error as Error);
      return;
    }
    cb?.();
  }

  /** Writes what has gathered; what a busy reader doesn't take now is tried again a moment later. */
  private writeOut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.take();
    if (!pending) return;
    const rest = this.writeSome(pending);
    // A copy: the gathering buffer takes the next lines.
    this.rest = rest && Buffer.from(rest);
    if (this.rest) this.timer = setTimeout(() => this.writeOut(), EAGAIN_WAIT_MS).unref();
  }

  /** Writes everything now, waiting out a busy reader for a while (process exit, a fatal line). */
  flushSync(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    let pending = this.take();
    const giveUpAt = Date.now() + EXIT_PATIENCE_MS;
    while (pending) {
      pending = this.writeSome(pending);
      if (pending && Date.now() > giveUpAt) {
        this.rest = Buffer.from(pending);
        return;
      }
      if (pending) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EAGAIN_WAIT_MS);
    }
  }

  /** Stops flushing at exit (a destination replaced or closed). */
  end(): void {
    this.flushSync();
    process.off("exit", this.onExit);
  }

  /** What is to be written, oldest first; the gathering buffer's part is valid until the next `write`. */
  private take(): Buffer | undefined {
    const lines = this.used ? this.gathered.subarray(0, this.used) : undefined;
    this.used = 0;
    const rest = this.rest;
    this.rest = undefined;
    if (rest && lines) return Buffer.concat([rest, lines]);
    return rest ?? lines;
  }

  /** Writes as much as the descriptor takes; answers what is left (partial write or EAGAIN). */
  private writeSome(data: Buffer): Buffer | undefined {
    let offset = 0;
    while (offset < data.length) {
      try {
        offset += this.writeFd(this.fd, data.subarray(offset));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") return data.subarray(offset);
        throw error;
      }
    }
    return undefined;
  }
}
