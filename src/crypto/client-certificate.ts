import { createHash, X509Certificate } from 'node:crypto';

/** A client's TLS certificate as a terminator in front of Keygate passed it on. */
export interface PresentedCertificate {
  /** RFC 8705 §3.1: base64url(SHA-256(DER)), the `x5t#S256` that binds a token to it. */
  readonly thumbprint: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

/** The `x5t#S256` thumbprint of a certificate (RFC 8705 §3.1, RFC 7517 §4.9). */
export function certificateThumbprint(certificate: X509Certificate): string {
  return createHash('sha256').update(certificate.raw).digest('base64url');
}

/**
 * Reads the certificate a TLS terminator sent in a header: PEM, URL-escaped as nginx's
 * `$ssl_client_escaped_cert` gives it, or plain. Undefined when the header is absent or empty (no
 * client certificate); a header that holds no certificate throws.
 */
export function readPresentedCertificate(header: string | undefined): PresentedCertificate | undefined {
  if (header === undefined || header === '' || header === '(null)') return undefined;
  let pem: string;
  try {
    pem = header.includes('%') ? decodeURIComponent(header) : header;
  } catch {
    throw new TypeError('the client certificate header is not URL-escaped PEM');
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new TypeError('the client certificate header holds no certificate');
  }
  return {
    thumbprint: certificateThumbprint(certificate),
    validFrom: new Date(certificate.validFrom),
    validTo: new Date(certificate.validTo),
  };
}
