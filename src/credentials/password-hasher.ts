// @node-rs/argon2 rather than the `argon2` package: the same argon2id and PHC strings (hashes
// stored by either verify with the other), but it picks AVX2 at run time where the CPU has it,
// while `argon2`'s prebuilt binary is SSE2-only: a verification costs half the CPU
// (13 vs 25 ms at m=19 MiB, t=2 on the benchmark machine) with no compiler at install.
import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
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
    // The library's default algorithm is argon2id (v=19); a test pins the output's prefix.
    return this.gate.run(() =>
      argon2Hash(password, {
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
        return await argon2Verify(hash, password);
      } catch {
        return false;
      }
    });
    return ok && storedHash !== null && storedHash !== undefined;
  }

  /** True when the hash was made with weaker parameters than today's, so it should be re-hashed. */
  needsRehash(storedHash: string): boolean {
    try {
      const used = parseOptions(storedHash);
      const { memoryCost, timeCost, parallelism } = this.options;
      return !storedHash.startsWith('$argon2id$v=19$') || used.memoryCost < memoryCost || used.timeCost < timeCost || used.parallelism !== parallelism;
    } catch {
      return true;
    }
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(`unused-${Math.random()}`);
    return this.dummyHash;
  }
}
