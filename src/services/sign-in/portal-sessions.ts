import { createHash, randomBytes } from 'node:crypto';
import { clientNetwork } from '../../core/address-ranges.js';
import { type Clock, systemClock } from '../../core/clock.js';
import { DomainError } from '../../core/domain-error.js';
import type { PortalUser } from '../../core/model.js';
import { hasControlCharacters } from '../../core/printable-text.js';
import { hashPassword, verifyPassword } from '../../crypto/password-hash.js';
import type { Store } from '../../store/store.js';
import { auditBy } from '../credentials/actor.js';
import { RateLimiter } from '../limits/rate-limiter.js';

export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

export interface LoginLimits {
  /** Wrong passwords for one email from one client network before each further guess must wait. */
  failuresBeforeLock: number;
  /** The longest wait: it starts at 1 s and doubles with each further wrong guess up to this. */
  lockSeconds: number;
  /** Login attempts per client network per minute, whatever the email. */
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
 * same work: an unknown email is checked against a dummy hash, both are throttled in the same
 * store table (keyed by a hash of the email), and the failure's audit entry is written after the
 * answer, so neither the answer, its timing nor a throttle tells who has an account.
 *
 * Guesses are throttled per email and client network (an IPv4 address, an IPv6 /64), with a wait
 * that doubles after each further wrong guess: a guesser slows only their own attempts, and cannot
 * keep the account's owner, who logs in from elsewhere, out.
 */
export class PortalSessions {
  /** In-memory fixed windows (as the gateway's fair usage): login attempts per client address. */
  readonly #attemptsPerAddress: RateLimiter;
  #dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly sessionLimits: SessionLimits,
    private readonly loginLimits: LoginLimits,
    /** Where writes made after the answer report failures. */
    private readonly onBackgroundError: (error: unknown) => void = () => {},
    private readonly clock: Clock = systemClock,
  ) {
    this.#attemptsPerAddress = new RateLimiter({}, clock);
  }

  async login(email: unknown, password: unknown, ip: string, replacing?: string): Promise<OpenSession> {
    if (
      typeof email !== 'string' ||
      email.length === 0 ||
      email.length > 254 ||
      hasControlCharacters(email)
    ) {
      throw new DomainError('validation_failed', 'email must be an email address', 'email');
    }
    if (typeof password !== 'string' || password.length === 0 || password.length > 1024) {
      throw new DomainError('validation_failed', 'password must be 1 to 1024 characters', 'password');
    }
    const network = clientNetwork(ip);
    const attempt = this.#attemptsPerAddress.take(network, {
      limit: this.loginLimits.perAddressPerMinute,
      windowSeconds: 60,
    });
    if (!attempt.allowed) {
      throw new DomainError(
        'rate_limited',
        `Too many login attempts from this address; try again in ${attempt.resetSeconds} seconds`,
        undefined,
        attempt.resetSeconds,
      );
    }
    const normalised = email.trim().toLowerCase();
    const throttleKey = createHash('sha256').update(`login:${normalised}\n${network}`).digest('hex');
    const now = this.clock.now();
    const charged = await this.store.loginThrottle.charge(throttleKey, {
      freeAttempts: this.loginLimits.failuresBeforeLock,
      maxDelaySeconds: this.loginLimits.lockSeconds,
      now: new Date(now).toISOString(),
    });
    if (!charged.allowed) {
      const seconds = Math.max(1, Math.ceil((Date.parse(charged.retryAt) - now) / 1000));
      throw new DomainError(
        'login_locked',
        `Too many failed logins for this email from this address; try again in ${seconds} second${seconds === 1 ? '' : 's'}`,
        undefined,
        seconds,
      );
    }
    const record = await this.store.users.findForLogin(normalised);
    const good = await verifyPassword(password, record?.passwordHash ?? (await this.#dummy()));
    if (!record || !good) {
      if (record) {
        this.#auditLater(record.user, ip, 'login.failed');
        // The guess that makes the next ones wait: from here this address is slowed for this email.
        if (charged.attempts === this.loginLimits.failuresBeforeLock)
          this.#auditLater(record.user, ip, 'login.locked');
      }
      throw new DomainError('invalid_login', INVALID_LOGIN);
    }
    const user = record.user;
    await this.store.loginThrottle.clear(throttleKey);
    // A login replaces the session the browser came with: no one can plant a session ID to ride on.
    if (replacing) await this.store.sessions.delete(hashSessionId(replacing));
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const at = new Date(now).toISOString();
    await this.store.sessions.create(
      hashSessionId(sessionId),
      {
        userId: user.id,
        csrfToken,
        createdAt: at,
        expiresAt: new Date(now + this.sessionLimits.maxSeconds * 1000).toISOString(),
        lastSeenAt: at,
      },
      auditBy({ kind: 'user', user, ip }, user.accountId, 'login.succeeded', userTarget(user)),
    );
    return { user, sessionId, csrfToken };
  }

  /** The user and CSRF token of a live session; undefined for an unknown, idle or expired one. */
  async resume(sessionId: string): Promise<{ user: PortalUser; csrfToken: string } | undefined> {
    if (sessionId.length !== 43) return undefined;
    const idHash = hashSessionId(sessionId);
    const session = await this.store.sessions.get(idHash);
    if (!session) return undefined;
    const now = this.clock.now();
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
      auditBy({ kind: 'user', user, ip }, user.accountId, 'logout', userTarget(user)),
    );
  }

  /** Drops ended sessions and forgotten login attempts; run now and then. */
  async sweep(): Promise<number> {
    const now = new Date(this.clock.now());
    await this.store.loginThrottle.prune(
      new Date(now.getTime() - Math.max(this.loginLimits.lockSeconds, 86_400) * 1000).toISOString(),
    );
    return this.store.sessions.deleteExpired(
      now,
      new Date(now.getTime() - this.sessionLimits.idleSeconds * 1000),
    );
  }

  /** The attempt was not made by the account holder: the actor is the email typed, not the user. */
  #auditLater(user: PortalUser, ip: string, action: 'login.failed' | 'login.locked'): void {
    this.store.audit
      .append({
        ...auditBy({ kind: 'user', user, ip }, user.accountId, action, userTarget(user)),
        actorUserId: null,
      })
      .catch(this.onBackgroundError);
  }

  #dummy(): Promise<string> {
    this.#dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
    return this.#dummyHash;
  }
}

function userTarget(user: PortalUser) {
  return { type: 'user', id: user.id, name: user.email };
}

export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}
