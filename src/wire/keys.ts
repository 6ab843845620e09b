/**
 * Key loading for the GEP envelope. GEP's demo keeps the merchant's private key in a password-protected
 * PKCS#12 `.pfx` and GEP's public key in an X.509 `.cer`; PEM files and inline PEM text work too.
 * Every failure is a one-line `KeyError` naming the input (the path, or `inline PEM`), never its content.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import type Forge from 'node-forge';
import { KeyError } from './errors.ts';

const PEM_START = '-----BEGIN ';
const INLINE = 'inline PEM';

interface KeyInput {
  /** The path, or `inline PEM`: what error messages may show. */
  source: string;
  bytes: Buffer;
}

/**
 * PEM text given inline, or the bytes of a file. Text that is neither PEM nor a plausible path (long,
 * or only Base64 characters) is never echoed back: it may be a key pasted without its PEM armour.
 */
function read(role: 'private' | 'public', input: string): KeyInput {
  if (input.includes(PEM_START)) return { source: INLINE, bytes: Buffer.from(input, 'utf8') };
  if (input.length > 1024 || /^[A-Za-z0-9+/=\s]{64,}$/.test(input)) {
    throw new KeyError(role, 'inline text', 'neither a PEM block nor a file path');
  }
  try {
    return { source: input, bytes: readFileSync(input) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new KeyError(role, input, 'file not found');
    if (code === 'EISDIR') throw new KeyError(role, input, 'is a directory, not a key file');
    throw new KeyError(role, input, `file cannot be read (${code ?? 'unknown error'})`);
  }
}

/** The label of the first PEM block (`PRIVATE KEY`, `CERTIFICATE`…), or undefined for binary input. */
function pemLabel(bytes: Buffer): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(bytes.toString('latin1'))?.[1];
}

function requireRsa(role: 'private' | 'public', source: string, key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new KeyError(role, source, `not an RSA key (${key.asymmetricKeyType ?? 'unknown'}); GEP uses RSA PKCS#1 v1.5`);
  }
  return key;
}

/** The first key of a PKCS#12 file, as PEM. node:crypto cannot read PKCS#12; node-forge can. */
function pkcs12KeyPem(source: string, bytes: Buffer, password: string | undefined): string {
  // required here, not imported with the module: only a .pfx needs it, and it costs every command's start-up
  const forge = createRequire(import.meta.url)('node-forge') as typeof Forge;
  let p12: Forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, password ?? '');
  } catch {
    throw new KeyError('private', source, 'PKCS#12 password is wrong or the file is corrupt');
  }
  const { pkcs8ShroudedKeyBag, keyBag } = forge.pki.oids;
  const bags = [pkcs8ShroudedKeyBag, keyBag].flatMap((bagType) => (bagType ? (p12.getBags({ bagType })[bagType] ?? []) : []));
  if (bags.length === 0) throw new KeyError('private', source, 'the PKCS#12 file holds no private key');
  const key = bags.find((bag) => bag.key)?.key;
  // forge decodes RSA keys only: a key bag without a decoded key holds another algorithm.
  if (!key) throw new KeyError('private', source, 'not an RSA key (the PKCS#12 key is of another algorithm)');
  return forge.pki.privateKeyToPem(key);
}

/**
 * The private key in `input`: inline PEM text, or a path to a PEM file (PKCS#8 or PKCS#1, encrypted
 * with `password` or not), a DER PKCS#8 / PKCS#1 file, or a PKCS#12 `.pfx` / `.p12` file.
 */
export function loadPrivateKey(input: string, password?: string): KeyObject {
  const { source, bytes } = read('private', input);
  const ext = extname(input).toLowerCase();
  return privateKeyFrom(source, bytes, password, ext === '.pfx' || ext === '.p12' ? 'pkcs12' : 'der');
}

/**
 * The private key in `bytes` (a file's, or a CI secret's base64 decoded), named `source` in errors: PEM,
 * DER PKCS#8/PKCS#1, or PKCS#12 (`binary: 'pkcs12'`; `'any'` tries DER first, then PKCS#12).
 */
export function privateKeyFrom(source: string, bytes: Buffer, password: string | undefined, binary: 'der' | 'pkcs12' | 'any'): KeyObject {
  const label = pemLabel(bytes);
  let key: KeyObject;
  if (label === undefined && binary === 'pkcs12') {
    key = createPrivateKey(pkcs12KeyPem(source, bytes, password));
  } else if (label === undefined && binary === 'any' && looksPkcs12(bytes)) {
    key = createPrivateKey(pkcs12KeyPem(source, bytes, password));
  } else if (label !== undefined) {
    if (!label.includes('PRIVATE KEY')) {
      throw new KeyError('private', source, `the PEM holds a ${label.toLowerCase()}, not a private key`);
    }
    const pem = bytes.toString('utf8');
    const encrypted = label === 'ENCRYPTED PRIVATE KEY' || pem.includes('Proc-Type: 4,ENCRYPTED');
    if (encrypted && password === undefined) throw new KeyError('private', source, 'the PEM is encrypted and no password was given');
    try {
      key = createPrivateKey({ key: pem, format: 'pem', ...(encrypted ? { passphrase: password } : {}) });
    } catch (err) {
      const wrong = encrypted && (err as { code?: string }).code === 'ERR_OSSL_BAD_DECRYPT';
      throw new KeyError(
        'private',
        source,
        wrong ? 'PEM password is wrong' : 'unreadable format (the PEM does not hold a readable private key)',
      );
    }
  } else {
    key = firstReadable(
      source,
      [
        () => createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8', ...(password === undefined ? {} : { passphrase: password }) }),
        () => createPrivateKey({ key: bytes, format: 'der', type: 'pkcs1' }),
      ],
      'private',
      'unreadable format (expected PEM, DER PKCS#8/PKCS#1, or a .pfx/.p12 file)',
    );
  }
  return requireRsa('private', source, key);
}

/**
 * The public key in `input`: inline PEM text, or a path to a PEM public key (SPKI or PKCS#1), an X.509
 * certificate in PEM, or an X.509 certificate in DER (the `.cer` GEP hands out).
 */
export function loadPublicKey(input: string): KeyObject {
  const { source, bytes } = read('public', input);
  return publicKeyFrom(source, bytes);
}

/** The public key in `bytes` (a file's, or a CI secret's base64 decoded), named `source` in errors. */
export function publicKeyFrom(source: string, bytes: Buffer): KeyObject {
  const label = pemLabel(bytes);
  let key: KeyObject;
  if (label?.includes('PRIVATE KEY')) {
    // Deriving the public half would work, but a private key given here is a configuration mistake.
    throw new KeyError('public', source, 'the PEM holds a private key; give the public key or the certificate');
  }
  if (label === 'CERTIFICATE') {
    key = firstReadable(source, [() => new X509Certificate(bytes).publicKey], 'public', 'unreadable certificate PEM');
  } else if (label !== undefined) {
    key = firstReadable(
      source,
      [() => createPublicKey({ key: bytes, format: 'pem' })],
      'public',
      'unreadable format (the PEM does not hold a public key)',
    );
  } else {
    key = firstReadable(
      source,
      [
        () => new X509Certificate(bytes).publicKey,
        () => createPublicKey({ key: bytes, format: 'der', type: 'spki' }),
        () => createPublicKey({ key: bytes, format: 'der', type: 'pkcs1' }),
      ],
      'public',
      'unreadable format (expected a PEM public key, or an X.509 certificate in PEM or DER)',
    );
  }
  return requireRsa('public', source, key);
}

/** The first reader that succeeds; if none does, a `KeyError` with `failure`. */
function firstReadable(source: string, readers: ReadonlyArray<() => KeyObject>, role: 'private' | 'public', failure: string): KeyObject {
  for (const reader of readers) {
    try {
      return reader();
    } catch {
      // try the next format
    }
  }
  throw new KeyError(role, source, failure);
}

/** A DER SEQUENCE whose first element is INTEGER 3: PKCS#12's PFX version (PKCS#8/PKCS#1 keys start with 0). */
function looksPkcs12(bytes: Buffer): boolean {
  if (bytes[0] !== 0x30 || bytes.length < 5) return false;
  const len = bytes[1]!;
  const at = len < 0x80 ? 2 : 2 + (len & 0x7f);
  return bytes[at] === 0x02 && bytes[at + 1] === 0x01 && bytes[at + 2] === 0x03;
}

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM. */
  privatePem: string;
  /** SPKI PEM. */
  publicPem: string;
}

/** A fresh RSA key pair for tests and the mock. Never for anything real. */
export function generateTestKeyPair(bits = 1024): TestKeyPair {
  const { privateKey: privatePem, publicKey: publicPem } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKey: createPrivateKey(privatePem), publicKey: createPublicKey(publicPem), privatePem, publicPem };
}

/**
 * The same, generated on libuv's thread pool: the caller's start-up (a run's vitest, the other key of a
 * pair of pairs) goes on meanwhile instead of waiting for the RSA prime search.
 */
export function generateTestKeyPairAsync(bits = 1024): Promise<TestKeyPair> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } },
      (err, publicPem, privatePem) =>
        err
          ? reject(err)
          : resolve({ privateKey: createPrivateKey(privatePem), publicKey: createPublicKey(publicPem), privatePem, publicPem }),
    ),
  );
}
