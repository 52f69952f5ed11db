import argon2 from 'argon2';
import { AppError } from '../errors/app-error.js';

export interface Argon2Options {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly maxConcurrency: number;
  /** Requests allowed to wait for a hashing slot; past that the caller gets a 503 at once. */
  readonly maxWaiting?: number;
}

/**
 * Caps how many argon2 computations run at once, so a login burst cannot exhaust memory, and how
 * many wait, so a flood is refused quickly instead of delaying every real sign-in behind it.
 */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      if (this.waiting.length >= this.maxWaiting) throw new AppError(503, 'temporarily_unavailable', 'error.busy');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.active += 1;
    try {
      return await fn();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

export class PasswordHasher {
  private readonly gate: Semaphore;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly options: Argon2Options) {
    this.gate = new Semaphore(options.maxConcurrency, options.maxWaiting ?? options.maxConcurrency * 32);
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: this.options.memoryCost,
        timeCost: this.options.timeCost,
        parallelism: this.options.parallelism,
      }),
    );
  }

  /** Verifies against the stored hash, or against a throwaway hash when there is none, so both take as long. */
  async verify(storedHash: string | null | undefined, password: string): Promise<boolean> {
    const hash = storedHash ?? (await this.dummy());
    const ok = await this.gate.run(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
    return ok && storedHash !== null && storedHash !== undefined;
  }

  /** True when the hash was made with weaker parameters than today's, so it should be re-hashed. */
  needsRehash(storedHash: string): boolean {
    return argon2.needsRehash(storedHash, {
      memoryCost: this.options.memoryCost,
      timeCost: this.options.timeCost,
      parallelism: this.options.parallelism,
    });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(`unused-${Math.random()}`);
    return this.dummyHash;
  }
}
