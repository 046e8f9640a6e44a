/**
 * SNS signature check with node:crypto: SignatureVersion `1` is RSA-SHA1, `2` is RSA-SHA256, over the
 * documented string to sign (aws-slack-facts §3.3). Anything else, or any crypto error, is "not verified".
 */
import { createVerify, type KeyObject, X509Certificate } from 'node:crypto';
import { type SnsMessage, stringToSign } from '../../core/sns/sns-message.js';

/** What a signature is checked against: the signing certificate, or its public key. */
export type SnsSigningKey = X509Certificate | KeyObject;

const ALGORITHMS: Readonly<Record<string, string>> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

/** True only when `Signature` is a valid signature of the message by the certificate's (RSA) key. */
export function verifySnsSignature(message: SnsMessage, certificate: SnsSigningKey): boolean {
  const algorithm = Object.hasOwn(ALGORITHMS, message.SignatureVersion) ? ALGORITHMS[message.SignatureVersion] : null;
  if (algorithm === undefined || algorithm === null) return false;
  try {
    const key = certificate instanceof X509Certificate ? certificate.publicKey : certificate;
    if (key.type !== 'public' || key.asymmetricKeyType !== 'rsa') return false;
    return createVerify(algorithm).update(stringToSign(message), 'utf8').verify(key, message.Signature, 'base64');
  } catch {
    return false;
  }
}
