import proxyAddr from '@fastify/proxy-addr';
import { z } from 'zod';

/**
 * The proxies Keygate believes (`trustProxy`): their addresses or CIDRs, or how many proxies stand
 * in front of Keygate, or none. What a proxy vouches for — the caller's address
 * (`X-Forwarded-For`), scheme and host, the client certificate (`clientCertificateHeader`) and the
 * forwarded method and URI of forward-auth — is read from a header only when the connection comes
 * from one of them; from anyone else it is never read.
 */
export type TrustProxySetting = false | number | readonly string[];

/** Whether the address at `hop` (0: the peer of the connection) is a proxy Keygate believes. */
export type ProxyTrust = (address: string | undefined, hop: number) => boolean;

const TRUST_EVERYONE =
  'true would let every caller choose its own address by sending X-Forwarded-For; name the proxies ' +
  'instead: their addresses or CIDRs, comma-separated (e.g. "127.0.0.1" or "10.0.0.0/8"), or the ' +
  'number of proxies in front of Keygate (e.g. 1)';

const EXPECTED = 'false, the proxies’ addresses or CIDRs (comma-separated or a list), or a number of proxies';

/** `trustProxy` as the file or `KEYGATE_TRUST_PROXY` gives it, checked and made one of the three forms. */
export const trustProxySchema = z.unknown().transform((value, context): TrustProxySetting => {
  const refuse = (message: string) => {
    context.issues.push({ code: 'custom', message, input: value });
    return z.NEVER;
  };
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return refuse(TRUST_EVERYONE);
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    const hops = Number(value);
    if (!Number.isInteger(hops) || hops < 1 || hops > 16) return refuse('a number of proxies from 1 to 16');
    return hops;
  }
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) return refuse(EXPECTED);
  const addresses = list.map((item: string) => item.trim()).filter((item) => item !== '');
  if (addresses.length === 0) return refuse(EXPECTED);
  for (const address of addresses) {
    try {
      proxyAddr.compile(address);
    } catch {
      return refuse(
        `${JSON.stringify(address)} is not an IP address, a CIDR, or loopback/linklocal/uniquelocal`,
      );
    }
  }
  return Object.freeze(addresses);
});

/** The proxies of a setting, as Fastify and Keygate's own headers ask about them. */
export interface TrustedProxies {
  /** Whether the address at `hop` (0: the peer) is a trusted proxy: Fastify's `trustProxy` function. */
  readonly trust: ProxyTrust;
  /**
   * Whether the peer of a connection may speak for the caller in Keygate's own headers (the client
   * certificate, forward-auth's forwarded method and URI). Only a proxy named by its address may: a
   * number of hops trusts whoever connects, and anyone who reaches Keygate directly could then copy
   * a public certificate into the header.
   */
  vouches(peerAddress: string | undefined): boolean;
}

export function trustedProxies(setting: TrustProxySetting): TrustedProxies {
  if (setting === false) return { trust: () => false, vouches: () => false };
  if (typeof setting === 'number') return { trust: (_address, hop) => hop < setting, vouches: () => false };
  const trusted = rememberedAnswers(proxyAddr.compile([...setting]));
  const trust: ProxyTrust = (address) => address !== undefined && trusted(address);
  return { trust, vouches: (peerAddress) => trust(peerAddress, 0) };
}

/** Most addresses whose answer is remembered; past it the memory starts again. */
const REMEMBERED_ADDRESSES = 1024;

/**
 * proxy-addr parses the address with ipaddr.js on every question, and one request asks up to five
 * (Fastify's `ip`, `ips`, `protocol` and `host`, and Keygate's `vouches`), about 12 k instructions
 * each (bench/instructions/functions.ts). The addresses asked about are few: the proxies, and the
 * callers they name. A compiled list answers the same for an address at any hop, so the answer is
 * remembered by address alone. An address a caller makes up (in X-Forwarded-For) can only make the
 * memory start again.
 */
function rememberedAnswers(trusted: (address: string, hop: number) => boolean): (address: string) => boolean {
  const answers = new Map<string, boolean>();
  return (address) => {
    let answer = answers.get(address);
    if (answer === undefined) {
      answer = trusted(address, 0);
      if (answers.size >= REMEMBERED_ADDRESSES) answers.clear();
      answers.set(address, answer);
    }
    return answer;
  };
}

/** Why a header that only a trusted proxy may send was refused from a connection that is none. */
export function notFromTrustedProxy(header: string): string {
  return `The ${header} header is accepted only from a trusted proxy (trustProxy)`;
}
