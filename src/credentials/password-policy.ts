import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'zod';

export const PASSWORD_MIN_LENGTH = 8;
/** Well above what a person types; only there so a huge body cannot make argon2 work for nothing. */
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'same_as_identity';

let common: ReadonlySet<string> | undefined;

/** About 49,000 of the most used passwords (the xato/SecLists list shipped with zxcvbn-ts). */
export function commonPasswords(): ReadonlySet<string> {
    // The package's types name the list `passwords`; at run time it is `passwords-common`.
  const lists: Record<string, unknown> = dictionary;
  common ??= new Set(z.array(z.string()).min(10_000).parse(lists['passwords-common'] ?? lists.passwords).map((p) => p.toLowerCase()));
  return common;
}

/** Length in characters as a person counts them, not UTF-16 units. */
function length(password: string): number {
  return [...password].length;
}

/**
 * ASVS 5.0: at least 8 characters, at least 64 allowed, no composition rules, common passwords
 * rejected. The password is checked exactly as typed: no trimming, truncation or case folding.
 */
export function checkPassword(password: string, identity: readonly (string | undefined)[] = []): PasswordProblem | undefined {
  const n = length(password);
  if (n < PASSWORD_MIN_LENGTH) return 'too_short';
  if (n > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'common';
  for (const value of identity) {
    if (value && value.length >= 3 && lower === value.toLowerCase()) return 'same_as_identity';
  }
  return undefined;
}
