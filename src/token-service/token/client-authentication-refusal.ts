/**
 * Why a client authentication was refused, as its account's audit log says it (details.reason). The
 * caller is told none of this, only `invalid_client`, so the answer does not help a guesser; the
 * admin who reads the log sees which part of a client's set-up to fix. Each is a fixed word: nothing
 * of the secret or the assertion itself.
 */
export type ClientAuthenticationRefusal =
  // A client secret (client_secret_basic, client_secret_post).
  | 'malformed_secret' // not a Keygate secret: wrong prefix or checksum, or none at all
  | 'wrong_secret' // none of the credential's secrets (a revoked one reads as this: it is not loaded)
  | 'expired_secret' // one of its secrets, past the expiry a rotation gave it
  | 'no_secret' // the credential has no usable secret (it authenticates with keys)
  // A signed assertion (private_key_jwt, RFC 7523).
  | 'malformed_assertion' // not a JWT, a header or claim of the wrong form
  | 'unsupported_algorithm' // an alg Keygate does not verify
  | 'unknown_key' // none of the credential's keys signs with that alg
  | 'bad_signature' // signed by none of the credential's keys
  | 'wrong_issuer' // iss or sub is not the client ID
  | 'wrong_audience' // aud is neither this issuer nor one of its endpoints
  | 'no_expiry' // no exp
  | 'expired'
  | 'lives_too_long' // exp further ahead than an assertion may live
  | 'not_yet_valid' // nbf ahead
  | 'invalid_jti' // no jti, or one too long or holding a control character
  | 'replayed' // its jti was used before
  // A TLS client certificate (self_signed_tls_client_auth, RFC 8705).
  | 'certificate_mismatch' // not one the credential registered
  | 'certificate_expired' // outside its validity
  // The secret or key was right, the caller's address is not in the credential's allowlist.
  | 'address_not_allowed';
