/**
 * The key specs and usages keygraph serves, and which usages each spec allows (AWS's valid pairs,
 * as keygraph's api/keys/model.py USAGES holds them). The schema names the enum values but has no
 * field for the pairs, so they are written here; the types keep the names in step with the schema.
 */
import type { KeySpec, KeyUsageType, KeyState, OriginType } from './gql/graphql';

export const USAGES: Partial<Record<KeySpec, KeyUsageType[]>> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
  RSA_2048: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_3072: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  RSA_4096: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'],
  ECC_NIST_P256: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P384: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_NIST_P521: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  ECC_SECG_P256K1: ['SIGN_VERIFY'],
  ECC_NIST_EDWARDS25519: ['SIGN_VERIFY'],
  HMAC_224: ['GENERATE_VERIFY_MAC'],
  HMAC_256: ['GENERATE_VERIFY_MAC'],
  HMAC_384: ['GENERATE_VERIFY_MAC'],
  HMAC_512: ['GENERATE_VERIFY_MAC'],
};

export const KEY_SPECS = Object.keys(USAGES) as KeySpec[];

export const KEY_USAGES: KeyUsageType[] = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];

export const KEY_STATES: KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable'];

export const ORIGINS: OriginType[] = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM'];
