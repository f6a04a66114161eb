import { z } from 'zod';
import { TOKEN_SIGNING_ALGORITHMS } from '../crypto/token-signing-algorithms.js';
import { sharedPort } from './listener-ports.js';
import { trustProxySchema } from './trusted-proxies.js';

declare module 'zod' {
  interface GlobalMeta {
    /** What an optional setting left unset means, for the default column of docs/configuration.md. */
    whenUnset?: string;
    /**
     * The group a top-level key belongs to, with all its members if it is an object such as
     * `loginLimits`; docs/configuration.md shows each group's settings in a section of their own.
     */
    group?: SettingGroup;
  }
}

/** The groups of settings, in the order docs/configuration.md shows them; each key names its own. */
export const SETTING_GROUPS = [
  'Roles and listeners',
  'Store and keys',
  'Region and tokens',
  'Gateway',
  'Limits',
  'Portal and admin',
  'Sample APIs',
  'Operations',
  'Tuning',
] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

/**
 * Keygate's configuration: one schema, validated at start, then frozen. Sources, later ones winning:
 * defaults, `keygate.config.json` (or the file named by KEYGATE_CONFIG), KEYGATE_* environment
 * variables (environment.ts). Each setting's `description` is written for operators, in Markdown
 * relative to docs/: `npm run generate:config-docs` makes docs/configuration.md's table of it, so
 * the schema is the one place a setting is described.
 */
const port = z.number().int().min(0).max(65535);

/** The parts of Keygate a process can serve; see `roles`. */
export const ROLES = ['token-service', 'admin', 'gateway'] as const;
export type Role = (typeof ROLES)[number];

/** The token service and the admin API hash secrets and unseal signing keys; the gateway does neither. */
export function needsMasterKey(roles: readonly Role[]): boolean {
  return roles.some((role) => role !== 'gateway');
}

const atLeastOne = z.number().int().min(1);

export const configSchema = z
  .object({
    roles: z
      .preprocess(
        (v) => (typeof v === 'string' ? v.split(',').map((role) => role.trim()) : v),
        z
          .array(z.enum(ROLES))
          .min(1)
          .refine((roles) => new Set(roles).size === roles.length, 'each role once'),
      )
      .default([...ROLES])
      .meta({
        group: 'Roles and listeners',
        description:
          'what this process serves (comma-separated in the variable): `token-service` (OAuth endpoints, ' +
          'JWKS, metadata), `admin` (admin API and portal), `gateway` (the API gateway and the samples; ' +
          'without `token-service` it needs `publicUrl`). Production can run each apart over one store; a ' +
          'gateway-only process reads no master key: it verifies tokens with the public JWKS. See ' +
          '[deploy.md](deploy.md#roles)',
      }),
    host: z.string().min(1).default('127.0.0.1').meta({
      group: 'Roles and listeners',
      description: 'address to listen on; loopback so a laptop start exposes nothing',
    }),
    port: port.default(8080).meta({
      group: 'Roles and listeners',
      description:
        'the token service, and the admin API and portal unless `adminPort` is set; 8080 as in the quickstart',
    }),
    gatewayPort: port
      .default(8081)
      .meta({ group: 'Roles and listeners', description: "the regional API gateway's own origin" }),
    metricsPort: port.default(9464).meta({
      group: 'Operations',
      description:
        'the ops listener of a process running the gateway: Prometheus `GET /metrics` (9464, the port ' +
        "Prometheus exporters commonly take), never on the API origin, where any caller could read every tenant's " +
        'traffic; `0` picks a free port',
    }),
    metricsHost: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .meta({
        group: 'Operations',
        description:
          "address of the ops listener: loopback, so only the host's own scraper reads it; a private " +
          'interface for a scraper on another host',
      }),
    forwardAuthPort: port.optional().meta({
      group: 'Roles and listeners',
      description:
        "forward-auth for an existing proxy ([forward-auth.md](forward-auth.md)): the gateway's whole check " +
        'of a call, for nginx `auth_request`, Caddy `forward_auth`, Traefik `ForwardAuth` or Envoy ' +
        '`ext_authz`, on a listener of its own, in a process with the `gateway` role; unset: not served; ' +
        '`0` picks a free port',
    }),
    forwardAuthHost: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .meta({
        group: 'Roles and listeners',
        description:
          "address of the forward-auth listener; only the proxy may reach it, since it believes the proxy's " +
          '`X-Forwarded-Method` and `X-Forwarded-Uri`',
      }),
    region: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a lower-case region name such as emea, nam or apac')
      .default('emea')
      .meta({
        group: 'Region and tokens',
        description:
          "this deployment's region (`[a-z][a-z0-9-]*`, at most 32 characters); accounts of other regions get no tokens here",
      }),
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({
        group: 'Roles and listeners',
        whenUnset: '`http://{host}:{port}/Auth`',
        description:
          'the issuer (`iss`), as clients are given it; endpoints are advertised at their fixed paths on its ' +
          "origin. The default carries VCC's `/Auth`, as `https://emea.example/Auth` would; discovery is " +
          'served only where clients look for this issuer (`/Auth/.well-known/openid-configuration`, ' +
          '`/.well-known/oauth-authorization-server/Auth`; at the root for an issuer without a path). A ' +
          'deployment that ran on the default before it was `/Auth` keeps its issuer with ' +
          '`publicUrl: "http://{host}:{port}"` ([adr/0007](adr/0007-the-issuer-is-under-auth.md))',
      }),
    audience: z.string().min(1).optional().meta({
      group: 'Roles and listeners',
      whenUnset: '`http://{host}:{gatewayPort}`',
      description: "the `aud` of access tokens: the gateway's origin",
    }),
    dataDir: z
      .string()
      .min(1)
      .default('./data')
      .meta({
        group: 'Store and keys',
        description:
          'the embedded SQLite store and, without a configured master key, its generated key; created ' +
          'owner-only (0700, files 0600), and a start warns when an existing one is open to other users. ' +
          'The CLI also takes `--data-dir` ([cli.md](cli.md))',
      }),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .optional()
      .meta({
        group: 'Store and keys',
        whenUnset: 'the embedded SQLite store',
        description: 'a `postgres://` URL switches the store to PostgreSQL ([production.md](production.md))',
      }),
    databaseSchema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier')
      .optional()
      .meta({
        group: 'Store and keys',
        whenUnset: '`public`',
        description: "PostgreSQL schema for Keygate's tables, created when missing",
      }),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// URL')
      .optional()
      .meta({
        group: 'Store and keys',
        whenUnset: 'each process counts alone',
        description:
          'Redis for token-quota and fair-usage counters shared by all instances and workers ' +
          '(`keygate start --workers` above 1 needs it, or `--per-worker-limits`); when it does not answer, ' +
          'each process counts alone (logged once)',
      }),
    masterKey: z
      .string()
      .min(1)
      .optional()
      .meta({
        group: 'Store and keys',
        whenUnset: 'see [the master key](#the-master-key)',
        description:
          '32 bytes, base64 or hex, from which the secret pepper and the signing-key encryption key are ' +
          'derived; see [the master key](#the-master-key)',
      }),
    masterKeyFile: z
      .string()
      .min(1)
      .optional()
      .meta({ group: 'Store and keys', description: 'a file holding the master key' }),
    tokenSigningAlgorithm: z
      .enum(TOKEN_SIGNING_ALGORITHMS)
      .default('ES256')
      .meta({
        group: 'Region and tokens',
        description:
          'what the region signs access tokens with: `ES256`, or `RS256` (RSA, 2048 bits) for verifiers ' +
          "that take RSA only (AWS API Gateway's JWT authorizer, go-oidc's default verifier). A start after " +
          'a change pre-publishes a key of the new algorithm; `keygate keys rotate` makes it sign, and the ' +
          'old one stays published until its tokens expire ' +
          '([tokens.md](tokens.md#rsa-signed-tokens-rs256-for-verifiers-that-take-rsa-only)). Set it alike ' +
          'on every instance of a region',
      }),
    tokenLifetimeSeconds: z.number().int().min(60).max(86_400).default(7200).meta({
      group: 'Region and tokens',
      description: 'access-token lifetime (60–86400); VCC issues two-hour tokens',
    }),
    authFailureLimit: z
      .object({
        perClient: atLeastOne.default(10).meta({
          description:
            'failed authentications for one client ID from one source address per window; past it that ' +
            "address is refused for that client, while the client's own program, from an address that has " +
            'not failed, still gets its token',
        }),
        perAddress: atLeastOne.default(100).meta({
          description: 'failed authentications per source address per window, whatever the client IDs',
        }),
        windowSeconds: atLeastOne
          .default(60)
          .meta({ description: 'the window of the failed-authentication limits' }),
      })
      .prefault({})
      .meta({ group: 'Limits' }),
    maxRevokedTokensPerCredential: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(1000)
      .meta({
        group: 'Region and tokens',
        description:
          'live revoked tokens one credential may hold (revoked through RFC 7009, not yet expired); the next ' +
          'revocation revokes every token of the credential instead, as `keygate credentials revoke-tokens` ' +
          "does, audited as `credential.tokens_revoked`, which keeps the store and every instance's " +
          'revocation list from growing further for it ([tokens.md](tokens.md#introspection-and-revocation))',
      }),
    changePollMs: z.number().int().min(10).max(10_000).default(250).meta({
      group: 'Tuning',
      description: 'how often the change log is read (changes made by the CLI or other instances)',
    }),
    usageFlushMs: z.number().int().min(100).max(600_000).default(5000).meta({
      group: 'Tuning',
      description: 'how often last-used times and usage counters are written (never per request)',
    }),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .meta({
        group: 'Operations',
        description:
          'pino level; `silent` turns logs off. Requests are logged at `info`, except health checks ' +
          '(`/healthz`, `/readyz`), at `debug`',
      }),
    tracing: z
      .boolean()
      .optional()
      .meta({
        group: 'Operations',
        whenUnset: 'on when `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set',
        description:
          'OpenTelemetry traces over OTLP/HTTP, set up by the standard `OTEL_*` variables (endpoint, ' +
          'protocol, sampler, service name; [operations.md](operations.md#traces)): `false` keeps them off ' +
          'whatever those say; `true` turns them on, to `http://localhost:4318/v1/traces` unless an endpoint ' +
          'is set. `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turns them off',
      }),
    bootstrapAdminEmail: z
      .email()
      .default('admin@keygate.local')
      .meta({ group: 'Portal and admin', description: 'first portal admin, created on an empty store' }),
    bootstrapAdminPassword: z.string().min(12).optional().meta({
      group: 'Portal and admin',
      whenUnset: 'generated',
      description:
        "the first admin's password (12 characters or more); printed once at first start when generated",
    }),
    adminPort: port.optional().meta({
      group: 'Roles and listeners',
      whenUnset: '`port`',
      description:
        'serve the admin API and portal on this port instead of `port` (as Hydra keeps its admin listener ' +
        'apart), so the public origin serves OAuth only',
    }),
    adminHost: z.string().min(1).optional().meta({
      group: 'Roles and listeners',
      whenUnset: '`host`',
      description: 'address of that admin listener (e.g. a private interface)',
    }),
    clientCertificateHeader: z
      .string()
      .regex(/^[a-z0-9-]+$/i, 'a header name')
      .transform((name) => name.toLowerCase())
      .optional()
      .meta({
        group: 'Roles and listeners',
        whenUnset: 'no client certificate is read',
        description:
          'behind a TLS terminator that asks for client certificates: the header it passes each one in ' +
          "(PEM, URL-escaped as nginx's `$ssl_client_escaped_cert`, e.g. `x-ssl-client-cert`); enables " +
          'self_signed_tls_client_auth and certificate-bound tokens ([mutual-tls.md](mutual-tls.md)). Read ' +
          'only from a proxy `trustProxy` names by its address (from anyone else: `400`), so it needs ' +
          '`trustProxy` as addresses; the terminator must always set it, replacing any a caller sent',
      }),
    trustProxy: trustProxySchema.default(false).meta({
      group: 'Roles and listeners',
      description:
        "behind a proxy: the proxies' addresses or CIDRs, comma-separated (or a list in the file; " +
        '`loopback` names 127.0.0.0/8 and ::1), or the number of proxies in front (e.g. `1`). Only a ' +
        "connection from one of them may set the client's address (`X-Forwarded-For`: the nearest address " +
        "that is not a trusted proxy is the client's), scheme and host; only a proxy named by its address " +
        '(not a number of hops, which trusts whoever connects) may send the client certificate header and ' +
        "forward-auth's `X-Forwarded-Method`/`-Uri`. Decides the address that login and guessing limits, " +
        'address allowlists and the audit log see, and whether a request came over HTTPS; off, behind a ' +
        "proxy, every caller shares the proxy's address. `true` is refused: it would let every caller " +
        'choose its address',
    }),
    portalSession: z
      .object({
        idleSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400)
          .default(1800)
          .meta({
            description:
              'a portal session ends after this long without a request, so a forgotten browser tab does ' +
              'not stay an open door',
          }),
        maxSeconds: z
          .number()
          .int()
          .min(1)
          .max(604_800)
          .default(43_200)
          .meta({ description: '… and after this long whatever the activity' }),
      })
      .strict()
      .prefault({})
      .meta({ group: 'Portal and admin' }),
    loginLimits: z
      .object({
        failuresBeforeLock: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .default(5)
          .meta({
            description:
              'wrong passwords for one email from one client address (an IPv6 address by its /64) before ' +
              "each further guess from there must wait; other addresses, the owner's among them, are not slowed",
          }),
        lockSeconds: z.number().int().min(1).max(86_400).default(900).meta({
          description:
            'the longest such wait: 1 s after the last free guess, doubling with each further wrong one, up to this',
        }),
        perAddressPerMinute: z
          .number()
          .int()
          .min(1)
          .max(1_000_000)
          .default(20)
          .meta({ description: 'login attempts per client address per minute, whatever the email' }),
      })
      .strict()
      .prefault({})
      .meta({ group: 'Limits' }),
    jwksUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({
        group: 'Region and tokens',
        whenUnset:
          "the keyring where the process runs the token service, else `/.well-known/jwks.json` on the issuer's origin",
        description: 'where the gateway fetches verification keys',
      }),
    dpopNonces: z
      .boolean()
      .default(false)
      .meta({
        group: 'Region and tokens',
        description:
          '`true`: every DPoP proof must carry a nonce the server gave in a `DPoP-Nonce` header (each good ' +
          "for five to ten minutes), so a stolen key's holder cannot sign proofs ahead of time (RFC 9449 §8, " +
          '§9; [tokens.md](tokens.md#tokens-a-thief-cannot-replay-dpop)); clients that follow the RFC retry ' +
          'once',
      }),
    clockLeewaySeconds: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(30)
      .meta({
        group: 'Region and tokens',
        description:
          'clock skew tolerated on `exp`/`nbf`/`iat`; the token service and the gateway both read it, so ' +
          'processes running them apart need the same value ([gateway.md](gateway.md))',
      }),
    jwksCooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(30)
      .meta({ group: 'Tuning', description: 'least time between JWKS refetches for unknown key IDs' }),
    samplesEnabled: z.boolean().default(true).meta({
      group: 'Sample APIs',
      description: 'serve the sample VCC APIs (clearly labelled samples) on `samplesPort` and route to them',
    }),
    sampleExportS3Endpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({
        group: 'Sample APIs',
        whenUnset: 'a local directory, `sampleExportDirectory`',
        description:
          'an S3-compatible endpoint (`http://127.0.0.1:9000`) for the Interaction Content Export sample; ' +
          "credentials from the AWS SDK's chain (`AWS_ACCESS_KEY_ID`, …)",
      }),
    sampleExportDirectory: z
      .string()
      .min(1)
      .optional()
      .meta({
        group: 'Sample APIs',
        whenUnset: '`<dataDir>/sample-exports`',
        description:
          'where that sample writes when no endpoint is set: a local directory standing in for S3, a ' +
          'folder per account and, in it, per bucket',
      }),
    samplesPort: port
      .default(8082)
      .meta({ group: 'Sample APIs', description: "the samples' loopback port (0: any free port)" }),
    upstreams: z
      .record(z.string(), z.url({ protocol: /^https?$/ }))
      .default({})
      .meta({
        group: 'Gateway',
        description:
          'upstream base URL per API name (those of the API documents in openapi/), replacing the samples, ' +
          'e.g. `{"stats": "https://stats.internal"}` ([gateway.md](gateway.md))',
      }),
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
      .default([])
      .meta({
        group: 'Gateway',
        description:
          '`[{file, upstream, resource?}]`: OpenAPI 3.1 documents (file paths) of your own APIs behind the ' +
          'gateway; their scopes join the catalogue ([gateway.md](gateway.md#your-own-scopes)); ' +
          "`resource` is the API's own audience for RFC 8707 token requests: a token asked for with it " +
          "carries it as `aud` and is admitted by that API's routes only " +
          '([tokens.md](tokens.md#a-token-for-one-api-rfc-8707))',
      }),
    apiDocumentRollout: z
      .boolean()
      .default(false)
      .meta({
        group: 'Gateway',
        description:
          'start although another region serves other versions of the API documents (a rollout region by ' +
          'region); without it that start is refused, naming both versions ' +
          '([gateway.md](gateway.md#every-region-serves-one-catalogue))',
      }),
    upstreamTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(300_000)
      .default(10_000)
      .meta({ group: 'Gateway', description: 'upstream answer timeout; past it the gateway answers 504' }),
    callerStallTimeoutMs: z
      .number()
      .int()
      .min(100)
      .max(3_600_000)
      .default(60_000)
      .meta({
        group: 'Gateway',
        description:
          'a caller that does not take in what the gateway holds for it (up to about 80 KB) within this long ' +
          "is cut, freeing its upstream connection (like nginx's `send_timeout`, also 60 s)",
      }),
    requestTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(600_000)
      .default(30_000)
      .meta({
        group: 'Gateway',
        description:
          'the longest a caller may take to send a whole request, headers and body, on every listener; then ' +
          'the connection is closed (checked every second). Bodies are read before the gateway calls the ' +
          "upstream, so a slow sender holds a socket of Keygate's, never an upstream connection",
      }),
    maxRequestBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(1024 * 1024)
      .meta({
        group: 'Gateway',
        description:
          'the largest body the gateway forwards (413 beyond); bodies are read whole, in memory, before the ' +
          'upstream is called',
      }),
    forwardBearerToken: z.boolean().default(false).meta({
      group: 'Gateway',
      description: "pass the caller's bearer token upstream (stripped by default)",
    }),
    rateLimitPlans: z
      .record(
        z.string(),
        z
          .object({
            perAccount: z.object({ limit: atLeastOne, windowSeconds: atLeastOne }).strict(),
            perCredential: z.object({ limit: atLeastOne, windowSeconds: atLeastOne }).strict().optional(),
            concurrentCalls: z.number().int().min(1).max(100_000).default(64),
          })
          .strict(),
      )
      .prefault({ standard: { perAccount: { limit: 6000, windowSeconds: 60 } } })
      .meta({
        group: 'Limits',
        description:
          'fair-usage limits per plan: requests per window across all APIs of an account (`perAccount`), ' +
          'optionally per credential (`perCredential`), and `concurrentCalls` (default 64): calls of one ' +
          'account in progress at once on one gateway instance, more get 429; below the 128 connections the ' +
          'gateway keeps per upstream, so one busy tenant cannot queue the others',
      }),
    defaultPlan: z
      .string()
      .default('standard')
      .meta({ group: 'Limits', description: 'the plan of accounts that name none; one of `rateLimitPlans`' }),
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
