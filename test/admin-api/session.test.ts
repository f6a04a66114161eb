import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type AdminAnswer, adminCall, logIn } from '../helpers/admin.js';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';
import { ManualClock } from '../helpers/manual-clock.js';

describe('portal login and sessions', () => {
  let keygate: TestKeygate;
  // Login waits and idle times are read from this clock, which moves only when a test moves it:
  // a loaded machine's pauses between two requests cannot end a wait the test is checking.
  const clock = new ManualClock();

  beforeAll(async () => {
    keygate = await startTestKeygate(
      {
        loginLimits: { failuresBeforeLock: 3, lockSeconds: 60, perAddressPerMinute: 1000 },
        portalSession: { idleSeconds: 2, maxSeconds: 3600 },
      },
      undefined,
      { clock },
    );
  });
  afterAll(() => keygate.stop());

  it('sets an HttpOnly, SameSite=Lax session cookie scoped to the admin API and returns a CSRF token', async () => {
    const answer = await adminCall<{ user: { email: string; licence: string }; csrfToken: string }>(
      keygate.url,
      'POST',
      '/session',
      { body: { email: 'ADMIN@keygate.local', password: ADMIN_PASSWORD } },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.user).toMatchObject({ email: ADMIN_EMAIL, licence: 'admin', accountName: 'Default' });
    expect(answer.body.csrfToken).toMatch(/^[\w-]{43}$/);
    const cookie = answer.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^keygate_session=[\w-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/admin/v1');
    // Served over plain HTTP here, so not Secure (the browser would drop it); Secure over HTTPS.
    expect(cookie).not.toContain('Secure');
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrongPassword = await adminCall(keygate.url, 'POST', '/session', {
      body: { email: ADMIN_EMAIL, password: 'not-the-password' },
    });
    const unknownEmail = await adminCall(keygate.url, 'POST', '/session', {
      body: { email: 'nobody@keygate.local', password: 'not-the-password' },
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(wrongPassword.body).toEqual({ code: 'invalid_login', message: 'Email or password is incorrect' });
    expect(wrongPassword.headers.get('set-cookie')).toBeNull();
    // Reset the failure count with a good login.
    await logIn(keygate);
  });

  it('slows an email from one address after repeated wrong passwords, known or not, and audits each failure', async () => {
    const user = await keygate.users.create({
      accountId: (await keygate.store.accounts.list())[0]!.id,
      email: 'locked@keygate.local',
      password: 'the-right-password',
      licence: 'supervisor',
    });
    const guess = (email: string, password: string) =>
      adminCall(keygate.url, 'POST', '/session', { body: { email, password }, from: '127.0.0.3' });
    const retryAfter = (answer: { headers: Headers }) => Number(answer.headers.get('retry-after'));
    for (const email of [user.email, 'ghost@keygate.local']) {
      const answers: AdminAnswer[] = [];
      for (let i = 0; i < 4; i++) answers.push(await guess(email, `wrong-${i}`));
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
      expect(answers[3]!.body).toMatchObject({ code: 'login_locked' });
      // The wait starts at a second and doubles with each further wrong guess (capped at lockSeconds).
      expect(retryAfter(answers[3]!)).toBe(1);
      clock.advance(retryAfter(answers[3]!) * 1000);
      expect((await guess(email, 'wrong-4')).status).toBe(401);
      const slower = await guess(email, 'wrong-5');
      expect(slower.status).toBe(429);
      expect(retryAfter(slower)).toBe(2);
      expect(slower.body).toEqual({
        code: 'login_locked',
        message: 'Too many failed logins for this email from this address; try again in 2 seconds',
      });
      // While it waits, that address gets no guess at all: even the right password is refused.
      if (email === user.email) expect((await guess(email, 'the-right-password')).status).toBe(429);
    }

    const admin = await logIn(keygate);
    // Failures are audited just after the answer: wait for them.
    await expect
      .poll(async () => {
        const audit = await admin.call<{
          entries: Array<{ action: string; targetName: string; ip: string }>;
        }>('GET', '/audit?limit=100');
        return audit.body.entries
          .filter((e) => e.targetName === user.email && e.action.startsWith('login.'))
          .map((e) => `${e.action} ${e.ip}`)
          .sort();
      })
      .toEqual([...Array(4).fill('login.failed 127.0.0.3'), 'login.locked 127.0.0.3']);
    const audit = await admin.call('GET', '/audit?limit=100');
    expect(JSON.stringify(audit.body)).not.toContain('wrong-');
    expect(JSON.stringify(audit.body)).not.toContain('ghost@');
  });

  it('a guesser from another address cannot lock an admin out', async () => {
    const attacker = (password: string) =>
      adminCall(keygate.url, 'POST', '/session', {
        body: { email: ADMIN_EMAIL, password },
        from: '127.0.0.2',
      });
    const guesses = [];
    for (let i = 0; i < 6; i++) guesses.push((await attacker(`guess-${i}`)).status);
    expect(guesses).toEqual([401, 401, 401, 429, 429, 429]);
    // The admin, from their own address, logs in at once with the right password...
    const admin = await adminCall(keygate.url, 'POST', '/session', {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      from: '127.0.0.1',
    });
    expect(admin.status).toBe(200);
    // ...and a wrong one there is an ordinary failure, while the guesser is still made to wait.
    const typo = await adminCall(keygate.url, 'POST', '/session', {
      body: { email: ADMIN_EMAIL, password: 'typo' },
      from: '127.0.0.1',
    });
    expect(typo.status).toBe(401);
    expect((await attacker('guess-6')).status).toBe(429);
    await logIn(keygate); // clears the typo
  });

  it('gives a burst of parallel guesses no more tries than a sequence', async () => {
    await keygate.users.create({
      accountId: (await keygate.store.accounts.list())[0]!.id,
      email: 'burst@keygate.local',
      password: 'the-right-password',
      licence: 'supervisor',
    });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        adminCall(keygate.url, 'POST', '/session', {
          body: { email: 'burst@keygate.local', password: `guess-${i}` },
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });

  it('replaces the session a browser logs in with', async () => {
    const first = await logIn(keygate);
    const again = await adminCall(keygate.url, 'POST', '/session', {
      body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
      headers: { cookie: first.cookie },
    });
    expect(again.status).toBe(200);
    expect(again.headers.get('set-cookie')?.split(';')[0]).not.toBe(first.cookie);
    expect((await first.call('GET', '/session')).status).toBe(401);
  });

  it('refuses a state-changing request whose CSRF token is missing or wrong, and changes nothing', async () => {
    const admin = await logIn(keygate);
    const before = await keygate.store.credentials.count();
    const body = JSON.stringify({ name: 'CSRF victim', scopes: ['users:read'] });
    const attempts: Array<Record<string, string>> = [
      { cookie: admin.cookie, 'content-type': 'application/json' },
      { cookie: admin.cookie, 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(43) },
    ];
    for (const headers of attempts) {
      const answer = await adminCall(keygate.url, 'POST', '/credentials', { rawBody: body, headers });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'csrf_failed' });
    }
    expect(await keygate.store.credentials.count()).toBe(before);
    // Reading needs no CSRF token.
    const list = await adminCall(keygate.url, 'GET', '/credentials', { headers: { cookie: admin.cookie } });
    expect(list.status).toBe(200);
  });

  it('ends a session at logout and after the idle time', async () => {
    const admin = await logIn(keygate);
    expect((await admin.call('DELETE', '/session')).status).toBe(204);
    const afterLogout = await admin.call('GET', '/session');
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body).toMatchObject({ code: 'unauthenticated' });

    const idle = await logIn(keygate);
    expect((await idle.call('GET', '/session')).status).toBe(200);
    clock.advance(2500);
    expect((await idle.call('GET', '/session')).status).toBe(401);
  });

  it('refuses every route without a session, and forged cookies', async () => {
    for (const [method, path] of [
      ['GET', '/credentials'],
      ['GET', '/scopes'],
      ['GET', '/audit'],
      ['POST', '/users'],
      ['DELETE', '/credentials/x'],
    ] as const) {
      const anonymous = await adminCall(keygate.url, method, path);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const forged = await adminCall(keygate.url, method, path, {
        headers: { cookie: `keygate_session=${'A'.repeat(43)}` },
      });
      expect(forged.status).toBe(401);
    }
  });

  it('rejects malformed login input with the field at fault', async () => {
    const missing = await adminCall(keygate.url, 'POST', '/session', { body: { email: ADMIN_EMAIL } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'validation_failed', field: 'password' });
    const form = await adminCall(keygate.url, 'POST', '/session', {
      rawBody: 'email=a&password=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(form.body).toMatchObject({ code: 'unsupported_media_type' });
    const broken = await adminCall(keygate.url, 'POST', '/session', {
      rawBody: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: 'validation_failed' });
  });

  it('never logs a password or a session cookie', () => {
    const logs = keygate.logs();
    expect(logs).not.toContain(ADMIN_PASSWORD);
    expect(logs).not.toContain('the-right-password');
    expect(logs).not.toMatch(/keygate_session=[\w-]{43}/);
  });
});
