import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../core/domain-error.js';
import type { PortalUser } from '../core/model.js';
import { hashPassword, verifyPassword } from '../crypto/password-hash.js';
import type { Store } from '../store/store.js';
import { auditBy } from './actor.js';
import { FixedWindowCounter } from './fixed-window-counter.js';

export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

export interface LoginLimits {
  failuresBeforeLock: number;
  lockSeconds: number;
  perAddressPerMinute: number;
}

export interface OpenSession {
  user: PortalUser;
  /** The cookie value; only its SHA-256 is stored. */
  sessionId: string;
  csrfToken: string;
}

const INVALID_LOGIN = 'Email or password is incorrect';
/** Touching a session on every request would be a write per click; once a minute is enough. */
const TOUCH_AFTER_MS = 60_000;

/**
 * Portal login and sessions. A wrong password and an unknown email give the same answer after the
 * same work (an unknown email is checked against a dummy hash, and counts towards a lock like a
 * known one), so the login page does not tell who has an account.
 */
export class PortalSessions {
  readonly #attemptsPerAddress: FixedWindowCounter;
  /** Failures of emails with no user, so they lock like real ones (per instance). */
  readonly #unknownEmailFailures = new Map<string, { count: number; lockedUntil: number }>();
  #dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly sessionLimits: SessionLimits,
    private readonly loginLimits: LoginLimits,
  ) {
    this.#attemptsPerAddress = new FixedWindowCounter(loginLimits.perAddressPerMinute, 60_000);
  }

  async login(email: unknown, password: unknown, ip: string): Promise<OpenSession> {
    if (typeof email !== 'string' || email.length === 0 || email.length > 254) {
      throw new DomainError('validation_failed', 'email must be an email address', 'email');
    }
    if (typeof password !== 'string' || password.length === 0 || password.length > 1024) {
      throw new DomainError('validation_failed', 'password must be 1 to 1024 characters', 'password');
    }
    const wait = this.#attemptsPerAddress.hit(ip);
    if (wait > 0) {
      throw new DomainError(
        'login_locked',
        `Too many login attempts; try again in ${wait} seconds`,
        undefined,
        wait,
      );
    }
    const normalised = email.trim().toLowerCase();
    const record = await this.store.users.findForLogin(normalised);
    const now = Date.now();
    const lockedUntil = record
      ? record.lockedUntil && Date.parse(record.lockedUntil)
      : this.#unknownEmailFailures.get(normalised)?.lockedUntil;
    if (lockedUntil && lockedUntil > now) {
      const seconds = Math.ceil((lockedUntil - now) / 1000);
      throw new DomainError(
        'login_locked',
        `Too many failed logins for this email; try again in ${seconds} seconds`,
        undefined,
        seconds,
      );
    }
    const good = await verifyPassword(password, record?.passwordHash ?? (await this.#dummy()));
    if (!record || !good) {
      await this.#recordFailure(normalised, record, ip, now);
      throw new DomainError('invalid_login', INVALID_LOGIN);
    }
    const user = record.user;
    await this.store.users.recordSuccessfulLogin(
      user.id,
      auditBy({ kind: 'user', user, ip }, user.accountId, 'login.succeeded', {
        type: 'user',
        id: user.id,
        name: user.email,
      }),
    );
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const at = new Date(now).toISOString();
    await this.store.sessions.create(hashSessionId(sessionId), {
      userId: user.id,
      csrfToken,
      createdAt: at,
      expiresAt: new Date(now + this.sessionLimits.maxSeconds * 1000).toISOString(),
      lastSeenAt: at,
    });
    return { user, sessionId, csrfToken };
  }

  /** The user and CSRF token of a live session; undefined for an unknown, idle or expired one. */
  async resume(sessionId: string): Promise<{ user: PortalUser; csrfToken: string } | undefined> {
    if (sessionId.length !== 43) return undefined;
    const idHash = hashSessionId(sessionId);
    const session = await this.store.sessions.get(idHash);
    if (!session) return undefined;
    const now = Date.now();
    const idleFor = now - Date.parse(session.lastSeenAt);
    if (Date.parse(session.expiresAt) <= now || idleFor > this.sessionLimits.idleSeconds * 1000) {
      await this.store.sessions.delete(idHash);
      return undefined;
    }
    const user = await this.store.users.get(session.userId);
    if (!user) return undefined;
    if (idleFor > TOUCH_AFTER_MS) await this.store.sessions.touch(idHash, new Date(now).toISOString());
    return { user, csrfToken: session.csrfToken };
  }

  async logout(sessionId: string, user: PortalUser, ip: string): Promise<void> {
    await this.store.sessions.delete(
      hashSessionId(sessionId),
      auditBy({ kind: 'user', user, ip }, user.accountId, 'logout', {
        type: 'user',
        id: user.id,
        name: user.email,
      }),
    );
  }

  /** Drops ended sessions; run now and then. */
  async sweep(): Promise<number> {
    const now = new Date();
    return this.store.sessions.deleteExpired(
      now,
      new Date(now.getTime() - this.sessionLimits.idleSeconds * 1000),
    );
  }

  async #recordFailure(
    email: string,
    record: Awaited<ReturnType<Store['users']['findForLogin']>>,
    ip: string,
    now: number,
  ): Promise<void> {
    const { failuresBeforeLock, lockSeconds } = this.loginLimits;
    if (!record) {
      const entry = this.#unknownEmailFailures.get(email) ?? { count: 0, lockedUntil: 0 };
      entry.count += 1;
      if (entry.count >= failuresBeforeLock) {
        entry.count = 0;
        entry.lockedUntil = now + lockSeconds * 1000;
      }
      if (this.#unknownEmailFailures.size > 100_000) this.#unknownEmailFailures.clear();
      this.#unknownEmailFailures.set(email, entry);
      return;
    }
    const locks = record.failedLogins + 1 >= failuresBeforeLock;
    await this.store.users.recordFailedLogin(
      record.user.id,
      locks ? new Date(now + lockSeconds * 1000).toISOString() : null,
      {
        ...auditBy({ kind: 'user', user: record.user, ip }, record.user.accountId, 'login.failed', {
          type: 'user',
          id: record.user.id,
          name: record.user.email,
        }),
        // The attempt was not made by the user: name the email, not the account holder, as actor.
        actorUserId: null,
        details: { locked: locks },
      },
    );
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    return this.#dummyHash;
  }
}

export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}
