import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient } from '../generated/prisma/client.js';
import type { User, UserStatus } from '../generated/prisma/client.js';

export type { User, UserStatus };

export interface NewUser {
  readonly email: string;
  readonly username?: string | undefined;
  readonly name?: string | undefined;
  readonly passwordHash: string;
  readonly emailVerified?: boolean;
  readonly roles?: readonly string[];
}

export class DuplicateUserError extends Error {
  constructor(readonly field: 'email' | 'username') {
    super(`${field} is taken`);
  }
}

function lower(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/** Repository for accounts; uniqueness of email and username is case-insensitive. */
export class UsersRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  /** Finds by email or username, whichever the person typed. */
  findByLogin(login: string): Promise<User | null> {
    const key = lower(login.trim());
    return this.prisma.user.findFirst({ where: { OR: [{ emailLower: key }, { usernameLower: key }] } });
  }

  async create(user: NewUser): Promise<User> {
    try {
      return await this.prisma.user.create({
        data: {
          id: randomUUID(),
          email: user.email.trim(),
          emailLower: lower(user.email.trim()),
          username: user.username ?? null,
          usernameLower: user.username ? lower(user.username) : null,
          name: user.name ?? null,
          passwordHash: user.passwordHash,
          emailVerified: user.emailVerified ?? false,
          roles: [...(user.roles ?? [])],
        },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new DuplicateUserError(String(error.meta?.target ?? error.message).includes('username') ? 'username' : 'email');
      }
      throw error;
    }
  }

  list(options: { take: number; skip: number }): Promise<User[]> {
    return this.prisma.user.findMany({ orderBy: { createdAt: 'asc' }, take: options.take, skip: options.skip });
  }

  async setStatus(id: string, status: UserStatus): Promise<User | null> {
    const { count } = await this.prisma.user.updateMany({ where: { id }, data: { status } });
    return count === 0 ? null : this.findById(id);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.prisma.user.updateMany({ where: { id }, data: { passwordHash } });
  }
}
