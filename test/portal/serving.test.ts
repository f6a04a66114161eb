import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKeygate, type TestKeygate } from '../helpers/keygate.js';

describe('portal serving and browser security headers', () => {
  let keygate: TestKeygate;

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/portal/index.html', import.meta.url))) {
      throw new Error('dist/portal is missing: run `npm run build` (npm test does) before the portal tests');
    }
    keygate = await startTestKeygate();
  });
  afterAll(() => keygate.stop());

  it('sends the app with a strict CSP, no framing, no sniffing, no referrer, never cached', async () => {
    const response = await fetch(`${keygate.url}/portal/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const html = await response.text();
    // Nothing inline for the CSP to have to allow.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toContain('<style');
  });

  it('serves deep links as the app, hashed assets as immutable files, and nothing else', async () => {
    const deepLink = await fetch(`${keygate.url}/portal/credentials/some-id`);
    expect(deepLink.status).toBe(200);
    const html = await deepLink.text();
    const asset = /src="(\/portal\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${keygate.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-security-policy')).not.toBeNull();
    // Read every body: an unread one (the bundle is larger than a socket buffer) keeps its
    // connection busy, and the server's close then waits on it.
    await script.arrayBuffer();
    const missing = await fetch(`${keygate.url}/portal/assets/missing.js`);
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { code: 'not_found', message: 'No such file: /portal/assets/missing.js' },
    ]);
    const icon = await fetch(`${keygate.url}/portal/favicon.svg`);
    expect(icon.headers.get('content-type')).toContain('image/svg+xml');
    await icon.arrayBuffer();
    const posted = await fetch(`${keygate.url}/portal/x`, { method: 'POST' });
    expect([posted.status, await posted.json()]).toEqual([
      405,
      { code: 'method_not_allowed', message: 'The portal only serves GET' },
    ]);
    for (const path of ['/', '/portal']) {
      const redirect = await fetch(`${keygate.url}${path}`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe('/portal/');
    }
  });
});
