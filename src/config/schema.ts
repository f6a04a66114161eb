import { z } from 'zod';
import { TOKEN_SIGNING_ALGORITHMS } from '../crypto/token-signing-algorithms.js';
import { sharedPort } from './listener-ports.js';
import { trustProxySchema } from './trusted-proxies.js';

/**
 * Keygate's configuration: one schema, validated at start, then frozen. Every option says what it
 * does and why its default is safe. Sources, later ones winning: defaults, `keygate.config.json`
 * (or the file named by KEYGATE_CONFIG), KEYGATE_* environment variables.
 */
const port = z.number().int().min(0).max(65535);

/** The parts of Keygate a process can serve; see `roles`. */
export const ROLES = ['token-service', 'admin', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

/** The token service and the admin API hash secrets and unseal signing keys; the gateway does neither. */
export function needsMasterKey(roles: readonly Role[]): boolean {
  return roles.some((role) => role !== 'gateway');
}

export const configSchema = z
  .object({
    /** Address to listen on. Loopback by default so a laptop start exposes nothing. */
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * The proxies or load balancers in front of Keygate whose word it takes (trusted-proxies.ts):
     * their addresses or CIDRs (comma-separated, or a list), or how many proxies stand in front.
     * Only a connection from one of them may set the caller's address (X-Forwarded-For), scheme and
     * host; only one named by its address may send the client certificate header and forward-auth's
     * X-Forwarded-Method/-Uri (a hop count trusts whoever connects). Off by
     * default, so no caller can fake any of them; behind a proxy, without it, every caller shares the
     * proxy's address (and its login and guessing limits). `true` is refused: it trusts everyone.
     */
    trustProxy: trustProxySchema.default(false),
    /**
     * Mutual TLS (RFC 8705) behind a TLS terminator: the request header in which it passes the
     * client's certificate (PEM, URL-escaped as nginx's `$ssl_client_escaped_cert`), e.g.
     * `x-ssl-client-cert`. Read only from a proxy that `trustProxy` names, which must set it on every
     * request, replacing any a caller sent; then clients may authenticate with a registered certificate (self_signed_tls_client_auth) and
     * get certificate-bound tokens. Unset: no client certificate is ever read.
     */
    clientCertificateHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/i, 'a header name')
      .transform((name) => name.toLowerCase())
      .optional(),
    /** Token service, admin API and portal. 8080 as in the quickstart. */
    port: port.default(8080),
    /**
     * Serve the admin API and the portal on a port of their own instead of `port` (as Hydra keeps its
     * admin listener apart), so the public origin serves OAuth only. Unset: they share `port`.
     */
    adminPort: port.optional(),
    /** Address of the admin listener when `adminPort` is set; defaults to `host`. */
    adminHost: z.string().min(1).optional(),
    /** The regional API gateway's own origin (the real system keeps `api.` hosts apart). */
    gatewayPort: port.default(8081),
    /**
     * The ops listener of a process that runs the gateway: Prometheus metrics at `GET /metrics`
     * (9464, the port Prometheus exporters commonly take). Never on the API origin, where any caller
     * could read every tenant's traffic; loopback by default, so only the host's own scraper reads it.
     */
    metricsPort: port.default(9464),
    /** Address of the ops listener; set it to a private interface for a scraper on another host. */
    metricsHost: z.string().min(1).default('127.0.0.1'),
    /**
     * Forward-auth: the gateway's whole check of a call, served to a proxy that keeps proxying the
     * bytes itself (nginx `auth_request`, Caddy `forward_auth`, Traefik `ForwardAuth`, Envoy
     * `ext_authz`; docs/forward-auth.md). It believes the `X-Forwarded-Method` and `X-Forwarded-Uri`
     * of whoever connects, so only that proxy may reach it. Unset: not served.
     */
    forwardAuthPort: port.optional(),
    /** Address of the forward-auth listener: loopback by default, beside the proxy. */
    forwardAuthHost: z.string().min(1).default('127.0.0.1'),
    /** This deployment's region; accounts of other regions get no tokens here. */
    region: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a lower-case region name such as emea, nam or apac')
      .default('emea'),
    /**
     * The issuer URL put in tokens and metadata. Defaults to the local URL of `port` with VCC's
     * `/Auth` path (ADR 0007); discovery is served where clients look for this issuer only.
     */
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** The `aud` of access tokens: the gateway's origin. Defaults to the local URL of `gatewayPort`. */
    audience: z.string().min(1).optional(),
    /** Folder of the embedded SQLite store and, when no master key is given, of its generated key. */
    dataDir: z.string().min(1).default('./data'),
    /** A PostgreSQL URL switches the store from embedded SQLite to PostgreSQL. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .optional(),
    /** Redis for fair-usage counters shared by all instances; without it each instance counts alone. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// URL')
      .optional(),
    /** PostgreSQL schema for Keygate's tables (created when missing); default: public. */
    databaseSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
      .optional(),
    /**
     * 32 bytes, base64 or hex, from which the secret pepper and the signing-key encryption key are
     * derived. Without it (and without masterKeyFile) the embedded store generates one in dataDir.
     */
    masterKey: z.string().min(1).optional(),
    masterKeyFile: z.string().min(1).optional(),
    /**
     * What this region signs access tokens with: ES256 (fastest) or RS256 (for verifiers that take
     * RSA only). A server's start after a change pre-publishes a key of the new algorithm; `keygate
     * keys rotate` makes it sign, and the old algorithm's key stays published until its tokens expire.
     */
    tokenSigningAlgorithm: z.enum(TOKEN_SIGNING_ALGORITHMS).default('ES256'),
    /** Access-token lifetime in seconds. VCC issues two-hour tokens. */
    tokenLifetimeSeconds: z.number().int().min(60).max(86_400).default(7200),
    /** Failed client authentications allowed per window before further attempts are refused. */
    authFailureLimit: z
      .object({
        perClient: z.number().int().min(1).default(10),
        perAddress: z.number().int().min(1).default(100),
        windowSeconds: z.number().int().min(1).default(60),
      })
      .prefault({}),
    /**
     * Live revoked tokens one credential may hold (RFC 7009 revocations whose tokens have not
     * expired); the next revocation revokes all of the credential's tokens instead, which keeps the
     * store and every instance's revocation list from growing further for it.
     */
    maxRevokedTokensPerCredential: z.number().int().min(1).max(1_000_000).default(1000),
    /** How often the server reads the store's change log (changes made by the CLI or other instances). */
    changePollMs: z.number().int().min(10).max(10_000).default(250),
    /** How often last-used times and usage counters are written (never per request). */
    usageFlushMs: z.number().int().min(100).max(600_000).default(5000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** The first portal admin, created when the store has no user; a password is generated if omitted. */
    bootstrapAdminEmail: z.email().default('admin@keygate.local'),
    bootstrapAdminPassword: z.string().min(12).optional(),
    /**
     * Portal sessions end after this long without a request, and after `maxSeconds` whatever the
     * activity. Short enough that a forgotten browser tab does not stay an open door.
     */
    portalSession: z
      .object({
        idleSeconds: z.number().int().min(1).max(86_400).default(1800),
        maxSeconds: z.number().int().min(1).max(604_800).default(43_200),
      })
      .strict()
      .prefault({}),
    /**
     * Portal login limits, counted per email and client address (an IPv6 address by its /64), so a
     * guesser slows only their own attempts and cannot lock the email's owner out from elsewhere.
     */
    loginLimits: z
      .object({
        /** Wrong passwords for one email from one address before each further guess must wait. */
        failuresBeforeLock: z.number().int().min(1).max(100_000).default(5),
        /** The longest wait: 1 s after the last free guess, doubling with each further one, up to this. */
        lockSeconds: z.number().int().min(1).max(86_400).default(900),
        /** Login attempts per client address per minute, whatever the email. */
        perAddressPerMinute: z.number().int().min(1).max(1_000_000).default(20),
      })
      .strict()
      .prefault({}),
    /**
     * What this process serves: `token-service` (OAuth endpoints, JWKS, metadata), `admin` (admin
     * API and portal), `gateway` (the API gateway and, where enabled, the sample APIs). All three by
     * default, for a laptop; production can run each apart over one store. A gateway-only process
     * reads no master key: it verifies tokens with the public JWKS and holds no secret material.
     * From KEYGATE_ROLES: a comma-separated list.
     */
    roles: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(',').map((role) => role.trim()) : v),
        z
          .array(z.enum(ROLES))
          .min(1)
          .refine((roles) => new Set(roles).size === roles.length, 'each role once'),
      )
      .default([...ROLES]),
    /**
     * Where the gateway fetches the token service's JWKS. Defaults to this process's own token
     * service, or, where this process runs none, to the JWKS under `publicUrl` (the issuer's).
     */
    jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * Require a server nonce in every DPoP proof (RFC 9449 §8, §9): a proof must carry a nonce the
     * server gave in a `DPoP-Nonce` header (each is good for five to ten minutes), so a stolen key's holder
     * cannot sign proofs ahead of time. Clients that follow the RFC retry once on use_dpop_nonce.
     */
    dpopNonces: z.boolean().default(false),
    /** Seconds of clock skew tolerated on exp/nbf/iat. */
    clockLeewaySeconds: z.number().int().min(0).max(300).default(30),
    /** How long the gateway waits before refetching the JWKS for an unknown key ID. */
    jwksCooldownSeconds: z.number().int().min(0).max(3600).default(30),
    /** Serve the sample VCC APIs (clearly labelled samples) on samplesPort and route to them. */
    samplesEnabled: z.boolean().default(true),
    /**
     * Where the Interaction Content Export sample writes exports: an S3-compatible endpoint
     * (credentials from the AWS SDK's chain: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY…). Unset, a
     * local directory stands in for S3 (`sampleExportDirectory`).
     */
    sampleExportS3Endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** The local directory standing in for S3 when no endpoint is set; default `<dataDir>/sample-exports`. */
    sampleExportDirectory: z.string().min(1).optional(),
    /** Internal port of the sample APIs; loopback only. 0 picks a free port. */
    samplesPort: port.default(8082),
    /**
     * Upstream base URL per API, overriding the samples (e.g. `{"stats": "https://stats.internal"}`).
     * Names are those of the API documents in openapi/ (see docs/gateway.md).
     */
    upstreams: z.record(z.string(), z.url({ protocol: /^https?$/ })).default({}),
    /**
     * Further OpenAPI 3.1 documents (file paths) describing the user's own APIs behind the gateway.
     * `resource`, where set, is the API's own audience (RFC 8707): a token asked for with it carries
     * it as `aud` and is admitted by that API's routes only.
     */
    apiDocuments: z
      .array(
        z
          .object({
            file: z.string().min(1),
            upstream: z.url({ protocol: /^https?$/ }),
            resource: z
              .url({ protocol: /^https?$/ })
              .refine((url) => !url.includes('#'), 'an absolute URI without a fragment (RFC 8707 §2)')
              .optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * Start while other regions serve other versions of the API documents (a rollout, region by
     * region); without it such a start is refused, naming both versions.
     */
    apiDocumentRollout: z.boolean().default(false),
    /** Upstream answer timeout; past it the gateway answers 504. */
    upstreamTimeoutMs: z.number().int().min(100).max(300_000).default(10_000),
    /**
     * How long the gateway waits for a caller to take in what it holds for it (up to about 80 KB)
     * before it cuts the call, freeing the upstream connection the call holds (like nginx's
     * `send_timeout`, also 60 s).
     */
    callerStallTimeoutMs: z.number().int().min(100).max(3_600_000).default(60_000),
    /**
     * The longest a caller may take to send a whole request, headers and body, on every listener;
     * past it the connection is closed. Bodies are read before the gateway calls the upstream, so a
     * slow sender holds a socket of Keygate's, never an upstream connection.
     */
    requestTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
    /** The largest request body the gateway accepts (413 beyond); bodies are held in memory while forwarded. */
    maxRequestBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(1024 * 1024),
    /** Forward the caller's bearer token upstream (stripped by default). */
    forwardBearerToken: z.boolean().default(false),
    /**
     * Fair-usage limits per plan: requests per window across all APIs of an account, and
     * optionally per credential. An account uses `defaultPlan` unless it names another.
     */
    rateLimitPlans: z
      .record(
        z.string(),
        z
          .object({
            perAccount: z
              .object({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) })
              .strict(),
            perCredential: z
              .object({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1) })
              .strict()
              .optional(),
            /**
             * Calls of one account in progress at once on one gateway instance; more get 429. Below the
             * 128 connections the gateway keeps per upstream, so one busy tenant cannot queue the others.
             */
            concurrentCalls: z.number().int().min(1).max(100_000).default(64),
          })
          .strict(),
      )
      .prefault({ standard: { perAccount: { limit: 6000, windowSeconds: 60 } } }),
    defaultPlan: z.string().default('standard'),
  })
  .strict()
  .refine((c) => c.rateLimitPlans[c.defaultPlan] !== undefined, {
    message: 'defaultPlan must name one of rateLimitPlans',
    path: ['defaultPlan'],
  })
  .refine(
    (c) => {
      const resources = c.apiDocuments.flatMap((d) => (d.resource === undefined ? [] : [d.resource]));
      return new Set(resources).size === resources.length && !resources.includes(c.audience ?? '');
    },
    {
      message: 'each resource names one API: two documents share one, or one is the gateway’s own audience',
      path: ['apiDocuments'],
    },
  )
  .superRefine((c, context) => {
    const shared = sharedPort(c);
    if (shared) context.addIssue({ code: 'custom', message: shared.message, path: [shared.setting] });
  })
  // The certificate header is the terminator's word: with no proxy trusted, nobody could send it.
  .refine((c) => c.clientCertificateHeader === undefined || Array.isArray(c.trustProxy), {
    message:
      'is read only from a trusted proxy named by its address: set trustProxy (KEYGATE_TRUST_PROXY) to the TLS terminator’s address, e.g. 127.0.0.1',
    path: ['clientCertificateHeader'],
  })
  // The default issuer is this process's own port; a gateway with no token service beside it
  // would check tokens against an issuer that is not there, and fetch keys from nowhere.
  .refine((c) => !c.roles.includes('gateway') || c.roles.includes('token-service') || c.publicUrl, {
    message: 'a gateway without the token-service role needs publicUrl: the issuer whose tokens it admits',
    path: ['publicUrl'],
  });

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

export interface Config extends Omit<Parsed, 'publicUrl' | 'audience'> {
  readonly publicUrl: string;
  readonly audience: string;
}

/** KEYGATE_* variable for each top-level key, and how its text becomes a value. */
export const ENVIRONMENT: Record<string, { key: keyof ConfigInput; kind: 'string' | 'integer' | 'boolean' }> =
  {
    KEYGATE_ROLES: { key: 'roles', kind: 'string' },
    KEYGATE_HOST: { key: 'host', kind: 'string' },
    KEYGATE_TRUST_PROXY: { key: 'trustProxy', kind: 'string' },
    KEYGATE_CLIENT_CERTIFICATE_HEADER: { key: 'clientCertificateHeader', kind: 'string' },
    KEYGATE_PORT: { key: 'port', kind: 'integer' },
    KEYGATE_GATEWAY_PORT: { key: 'gatewayPort', kind: 'integer' },
    KEYGATE_ADMIN_PORT: { key: 'adminPort', kind: 'integer' },
    KEYGATE_ADMIN_HOST: { key: 'adminHost', kind: 'string' },
    KEYGATE_METRICS_PORT: { key: 'metricsPort', kind: 'integer' },
    KEYGATE_METRICS_HOST: { key: 'metricsHost', kind: 'string' },
    KEYGATE_FORWARD_AUTH_PORT: { key: 'forwardAuthPort', kind: 'integer' },
    KEYGATE_FORWARD_AUTH_HOST: { key: 'forwardAuthHost', kind: 'string' },
    KEYGATE_REGION: { key: 'region', kind: 'string' },
    KEYGATE_PUBLIC_URL: { key: 'publicUrl', kind: 'string' },
    KEYGATE_AUDIENCE: { key: 'audience', kind: 'string' },
    KEYGATE_DATA_DIR: { key: 'dataDir', kind: 'string' },
    KEYGATE_DATABASE_URL: { key: 'databaseUrl', kind: 'string' },
    KEYGATE_DATABASE_SCHEMA: { key: 'databaseSchema', kind: 'string' },
    KEYGATE_REDIS_URL: { key: 'redisUrl', kind: 'string' },
    KEYGATE_MASTER_KEY: { key: 'masterKey', kind: 'string' },
    KEYGATE_MASTER_KEY_FILE: { key: 'masterKeyFile', kind: 'string' },
    KEYGATE_TOKEN_LIFETIME: { key: 'tokenLifetimeSeconds', kind: 'integer' },
    KEYGATE_TOKEN_SIGNING_ALGORITHM: { key: 'tokenSigningAlgorithm', kind: 'string' },
    KEYGATE_CHANGE_POLL_MS: { key: 'changePollMs', kind: 'integer' },
    KEYGATE_USAGE_FLUSH_MS: { key: 'usageFlushMs', kind: 'integer' },
    KEYGATE_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
    KEYGATE_BOOTSTRAP_ADMIN_EMAIL: { key: 'bootstrapAdminEmail', kind: 'string' },
    KEYGATE_BOOTSTRAP_ADMIN_PASSWORD: { key: 'bootstrapAdminPassword', kind: 'string' },
    KEYGATE_JWKS_URL: { key: 'jwksUrl', kind: 'string' },
    KEYGATE_DPOP_NONCES: { key: 'dpopNonces', kind: 'boolean' },
    KEYGATE_API_DOCUMENT_ROLLOUT: { key: 'apiDocumentRollout', kind: 'boolean' },
    KEYGATE_SAMPLES_PORT: { key: 'samplesPort', kind: 'integer' },
    KEYGATE_SAMPLE_EXPORT_S3_ENDPOINT: { key: 'sampleExportS3Endpoint', kind: 'string' },
    KEYGATE_SAMPLE_EXPORT_DIR: { key: 'sampleExportDirectory', kind: 'string' },
    KEYGATE_UPSTREAM_TIMEOUT_MS: { key: 'upstreamTimeoutMs', kind: 'integer' },
    KEYGATE_CALLER_STALL_TIMEOUT_MS: { key: 'callerStallTimeoutMs', kind: 'integer' },
    KEYGATE_REQUEST_TIMEOUT_MS: { key: 'requestTimeoutMs', kind: 'integer' },
    KEYGATE_MAX_REQUEST_BODY_BYTES: { key: 'maxRequestBodyBytes', kind: 'integer' },
  };
