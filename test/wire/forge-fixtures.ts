/**
 * Certificates and PKCS#12 files made at test time with node-forge (GEP hands merchants a `.pfx` and a
 * `.cer`). Nothing here is ever written to the repository: callers write into a temporary directory.
 */
import forge from 'node-forge';
import type { TestKeyPair } from '../../src/wire/keys.ts';

export interface TestCertificate {
  pem: string;
  der: Buffer;
}

export function selfSignedCertificate(pair: TestKeyPair): TestCertificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicPem);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.UTC(2024, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2034, 0, 1));
  const subject = [{ name: 'commonName', value: 'card-conformance test' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(forge.pki.privateKeyFromPem(pair.privatePem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { pem, der };
}

export function pkcs12File(pair: TestKeyPair, cert: TestCertificate, password: string, algorithm: 'aes256' | '3des' = 'aes256'): Buffer {
  const key = forge.pki.privateKeyFromPem(pair.privatePem) as forge.pki.rsa.PrivateKey;
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, forge.pki.certificateFromPem(cert.pem), password, { algorithm });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
