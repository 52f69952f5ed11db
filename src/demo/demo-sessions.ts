import { randomBytes } from 'node:crypto';

export interface DemoTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
  readonly expiresAt: number;
  readonly claims: Record<string, unknown>;
  readonly userinfo: Record<string, unknown> | undefined;
  readonly refreshedAt: number | undefined;
}

export interface DemoSession {
  tokens?: DemoTokens;
  readonly createdAt: number;
}

const MAX_SESSIONS = 1000;
const MAX_AGE_MS = 12 * 3600 * 1000;

/**
 * The demo app's own sessions, kept in memory: it is a stand-in for a relying party's backend and
 * holds nothing AuthFlow needs. Bounded in number and age so it cannot grow without limit.
 */
export class DemoSessions {
  private readonly sessions = new Map<string, DemoSession>();

  get(id: string | undefined): DemoSession | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (session && Date.now() - session.createdAt > MAX_AGE_MS) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  create(): { id: string; session: DemoSession } {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const id = randomBytes(18).toString('base64url');
    const session: DemoSession = { createdAt: Date.now() };
    this.sessions.set(id, session);
    return { id, session };
  }

  delete(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}
