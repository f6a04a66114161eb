import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why a test that makes certificates cannot run here, or undefined when it can. */
export const opensslMissing = existsSync('/usr/bin/openssl')
  ? undefined
  : 'openssl is not installed (.ci/run installs it)';

/** `openssl req` arguments for a new, unencrypted P-256 key, as clients make theirs. */
const NEW_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed certificate and its key, made by openssl as a client would make them. */
export function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    ['req', '-x509', ...NEW_P256_KEY, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/**
 * A self-signed certificate whose validity ended in 2020, as a client's forgotten one would have:
 * `openssl req` cannot date a certificate in the past, `openssl ca` can.
 */
export function expiredSelfSigned(dir: string, name: string): { cert: string; key: string } {
  const file = (ending: string) => join(dir, `${name}.${ending}`);
  execFileSync(
    'openssl',
    ['req', '-new', ...NEW_P256_KEY, '-keyout', file('key'), '-out', file('csr'), '-subj', `/CN=${name}`],
    { stdio: 'ignore' },
  );
  writeFileSync(file('index'), '');
  writeFileSync(file('serial'), '01\n');
  writeFileSync(
    file('cnf'),
    `[ca]\ndefault_ca = local\n[local]\ndatabase = ${file('index')}\nnew_certs_dir = ${dir}\nserial = ${file('serial')}\ndefault_md = sha256\npolicy = any\n[any]\ncommonName = supplied\n`,
  );
  execFileSync(
    'openssl',
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      file('cnf'),
      '-selfsign',
      '-keyfile',
      file('key'),
      '-in',
      file('csr'),
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200102000000Z',
      '-out',
      file('crt'),
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(file('crt'), 'utf8'), key: readFileSync(file('key'), 'utf8') };
}
