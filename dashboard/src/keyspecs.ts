/**
 * What the key list filters on and what the create-key dialog offers, from keygraph's `keySpecs`
 * field: every key spec with the usages CreateKey accepts for it (AWS's valid pairs, checked by
 * the same table on the server) and whether this deployment's HSM makes such keys. The key states
 * and origins are the schema's enum values; the types keep them in step with it.
 */
import { graphql } from './gql';
import type { KeySpecsQuery, KeyState, KeyUsageType, OriginType } from './gql/graphql';

export const KeySpecs = graphql(`
  query KeySpecs {
    keySpecs {
      keySpec
      keyUsages
      origins
      generated
    }
  }
`);

export type KeySpecEntry = KeySpecsQuery['keySpecs'][number];

/** Every usage some spec allows, in the order the specs first name them. */
export function allUsages(specs: readonly KeySpecEntry[]): KeyUsageType[] {
  return [...new Set(specs.flatMap((entry) => entry.keyUsages))];
}

export const KEY_STATES: KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'Unavailable'];

export const ORIGINS: OriginType[] = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM'];
