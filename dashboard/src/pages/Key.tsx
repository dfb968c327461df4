/**
 * One key, everything about it from the `key(keyId:)` field: metadata, aliases, tags, the policy,
 * grants, rotation, its state (enable, disable, schedule and cancel deletion) and who may do what.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, request, requestPartial } from '../api';
import type { Caller } from '../App';
import { graphql } from '../gql';
import type { GrantOperation, KeyPageQuery } from '../gql/graphql';
import { Link } from '../router';
import { AccessMatrix } from '../components/AccessMatrix';
import { PolicyEditor } from '../components/PolicyEditor';
import { Button, DateText, Dialog, ErrorText, Loading, Status } from '../components/ui';
import { useAction, useLoad } from '../hooks';

const KeyPageDocument = graphql(`
  query KeyPage($keyId: String!) {
    key(keyId: $keyId) {
      keyId
      keyArn
      keyMetadata {
        awsAccountId
        arn
        description
        creationDate
        enabled
        keyState
        keySpec
        keyUsage
        origin
        keyManager
        deletionDate
        validTo
        expirationModel
        customKeyStoreId
        encryptionAlgorithms
        signingAlgorithms
        macAlgorithms
        keyAgreementAlgorithms
        multiRegion
        currentKeyMaterialId
      }
      aliases {
        aliasName
        creationDate
      }
      tags {
        tagKey
        tagValue
      }
      policy
      grants {
        grantId
        name
        granteePrincipal
        retiringPrincipal
        operations
        creationDate
        constraints {
          encryptionContextSubset
          encryptionContextEquals
        }
      }
      rotationStatus {
        keyRotationEnabled
        rotationPeriodInDays
        nextRotationDate
      }
      rotations {
        keyMaterialId
        keyMaterialState
        rotationDate
        rotationType
      }
    }
  }
`);

type KeyData = KeyPageQuery['key'];

const CreateAlias = graphql(`
  mutation CreateAlias($input: CreateAliasInput!) {
    createAlias(input: $input) {
      keyMetadata {
        keyId
      }
    }
  }
`);

const DeleteAlias = graphql(`
  mutation DeleteAlias($input: DeleteAliasInput!) {
    deleteAlias(input: $input) {
      keyMetadata {
        keyId
      }
    }
  }
`);

const TagResource = graphql(`
  mutation TagResource($input: TagResourceInput!) {
    tagResource(input: $input) {
      keyMetadata {
        keyId
      }
    }
  }
`);

const UntagResource = graphql(`
  mutation UntagResource($input: UntagResourceInput!) {
    untagResource(input: $input) {
      keyMetadata {
        keyId
      }
    }
  }
`);

const UpdateKeyDescription = graphql(`
  mutation UpdateKeyDescription($input: UpdateKeyDescriptionInput!) {
    updateKeyDescription(input: $input) {
      keyMetadata {
        keyId
      }
    }
  }
`);

const CreateGrant = graphql(`
  mutation CreateGrant($input: CreateGrantInput!) {
    createGrant(input: $input) {
      grantId
      grantToken
    }
  }
`);

const RetireGrant = graphql(`
  mutation RetireGrant($input: RetireGrantInput) {
    retireGrant(input: $input) {
      grantId
    }
  }
`);

const RevokeGrant = graphql(`
  mutation RevokeGrant($input: RevokeGrantInput!) {
    revokeGrant(input: $input) {
      grantId
    }
  }
`);

const EnableKeyRotation = graphql(`
  mutation EnableKeyRotation($input: EnableKeyRotationInput!) {
    enableKeyRotation(input: $input) {
      keyMetadata {
        keyId
      }
    }
  }
`);

const DisableKeyRotation = graphql(`
  mutation DisableKeyRotation($input: DisableKeyRotationInput!) {
    disableKeyRotation(input: $input) {
      keyMetadata {
        keyId
      }
    }
  }
`);

const RotateKeyOnDemand = graphql(`
  mutation RotateKeyOnDemand($input: RotateKeyOnDemandInput!) {
    rotateKeyOnDemand(input: $input) {
      keyId
    }
  }
`);

const EnableKey = graphql(`
  mutation EnableKey($input: EnableKeyInput!) {
    enableKey(input: $input) {
      keyMetadata {
        keyState
      }
    }
  }
`);

const DisableKey = graphql(`
  mutation DisableKey($input: DisableKeyInput!) {
    disableKey(input: $input) {
      keyMetadata {
        keyState
      }
    }
  }
`);

const ScheduleKeyDeletion = graphql(`
  mutation ScheduleKeyDeletion($input: ScheduleKeyDeletionInput!) {
    scheduleKeyDeletion(input: $input) {
      deletionDate
      keyState
      pendingWindowInDays
    }
  }
`);

const CancelKeyDeletion = graphql(`
  mutation CancelKeyDeletion($input: CancelKeyDeletionInput!) {
    cancelKeyDeletion(input: $input) {
      keyId
    }
  }
`);

/** The grant operations keygraph serves (GrantOperation less the deprecated ML-KEM ones). */
const GRANT_OPERATIONS: GrantOperation[] = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'Sign',
  'Verify',
  'GetPublicKey',
  'CreateGrant',
  'RetireGrant',
  'DescribeKey',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
  'GenerateMac',
  'VerifyMac',
  'DeriveSharedSecret',
];

/** The error of one field of the key ("policy", "grants"...), when reading it failed. */
function fieldError(errors: ApiError[], field: string): string | null {
  const failed = errors.find((error) => error.path[0] === 'key' && error.path[1] === field);
  return failed ? failed.toString() : null;
}

export function KeyPage({ keyId, caller }: { keyId: string; caller: Caller }) {
  // Each part of the key is read as the principal may: a part it may not read shows its error.
  const key = useLoad(() => requestPartial(KeyPageDocument, { keyId }), [keyId]);
  const data = key.data?.data.key;
  const errors = key.data?.errors ?? [];
  const name = data?.aliases?.[0]?.aliasName ?? keyId;

  return (
    <section aria-labelledby="key-title">
      <p className="breadcrumb">
        <Link to="/keys">Keys</Link> / <span className="mono">{keyId}</span>
      </p>
      <h1 id="key-title">
        Key <span className="mono">{name}</span>
      </h1>
      <ErrorText error={key.error} />
      {key.loading && !data && <Loading what="the key" />}
      {data && (
        <>
          <ErrorText error={fieldError(errors, 'keyMetadata')} />
          <Metadata data={data} reload={key.reload} />
          <Lifecycle data={data} reload={key.reload} />
          <Aliases data={data} reload={key.reload} problem={fieldError(errors, 'aliases')} />
          <Tags data={data} reload={key.reload} problem={fieldError(errors, 'tags')} />
          <section className="card" aria-labelledby="policy-title">
            <h2 id="policy-title">Policy</h2>
            {data.policy === null || data.policy === undefined ? (
              <ErrorText error={fieldError(errors, 'policy') ?? 'The key has no policy.'} />
            ) : (
              <PolicyEditor keyId={data.keyId} policy={data.policy} onSaved={key.reload} />
            )}
          </section>
          <Grants data={data} reload={key.reload} problem={fieldError(errors, 'grants')} />
          <Rotation data={data} reload={key.reload} problem={fieldError(errors, 'rotationStatus') ?? fieldError(errors, 'rotations')} />
          <section className="card" aria-labelledby="access-title">
            <h2 id="access-title">Access</h2>
            <p>
              Who can do what to this key, decided from its policy, the principals' identity policies and its grants
              by the evaluator authorization uses. <Link to={`/access?key=${encodeURIComponent(data.keyId)}`}>Simulate a request</Link>
            </p>
            <AccessMatrix keyId={data.keyId} caller={caller} refresh={data} />
          </section>
        </>
      )}
    </section>
  );
}

interface SectionProps {
  data: KeyData;
  reload: () => void;
  /** Why the section's part of the key could not be read. */
  problem?: string | null;
}

function Metadata({ data, reload }: SectionProps) {
  const meta = data.keyMetadata;
  const [description, setDescription] = useState(meta?.description ?? '');
  const action = useAction();
  if (!meta) return null;
  const algorithms = [
    ...(meta.encryptionAlgorithms ?? []),
    ...(meta.signingAlgorithms ?? []),
    ...(meta.macAlgorithms ?? []),
    ...(meta.keyAgreementAlgorithms ?? []),
  ];
  const rows: [string, ReactNode][] = [
    ['Key ID', <span className="mono">{data.keyId}</span>],
    ['ARN', <span className="mono">{data.keyArn}</span>],
    ['State', <span className={`state state-${meta.keyState}`}>{meta.keyState}</span>],
    ['Key spec', meta.keySpec],
    ['Usage', meta.keyUsage],
    ['Origin', meta.origin],
    ['Created', <DateText value={meta.creationDate} />],
    ['Algorithms', algorithms.join(', ') || '—'],
    ['Current key material', meta.currentKeyMaterialId ?? '—'],
    ['Account', meta.awsAccountId],
  ];
  if (meta.deletionDate) rows.push(['Deletion date', <DateText value={meta.deletionDate} />]);
  if (meta.validTo) rows.push(['Material valid to', <DateText value={meta.validTo} />]);
  if (meta.customKeyStoreId) rows.push(['Custom key store', meta.customKeyStoreId]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const done = await action.run(
      'Saving the description…',
      () => request(UpdateKeyDescription, { input: { keyId: data.keyId, description } }),
      'Description saved.',
    );
    if (done) reload();
  };

  return (
    <section className="card" aria-labelledby="metadata-title">
      <h2 id="metadata-title">Metadata</h2>
      <dl className="metadata">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <form className="inline-form" onSubmit={save}>
        <div className="field field-wide">
          <label htmlFor="key-description">Description</label>
          <input id="key-description" value={description} onChange={(event) => setDescription(event.target.value)} />
        </div>
        <Button type="submit" busy={action.busy} disabled={description === meta.description}>
          Save description
        </Button>
      </form>
      <Status action={action} />
    </section>
  );
}

function Lifecycle({ data, reload }: SectionProps) {
  const meta = data.keyMetadata;
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState('');
  if (!meta) return null;
  const input = { keyId: data.keyId };
  const pending = meta.keyState === 'PendingDeletion';

  const act = async (doing: string, work: () => Promise<unknown>, done: string) => {
    setNotice('');
    const result = await action.run(doing, work, done);
    if (result) reload();
  };

  return (
    <section className="card" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">State and deletion</h2>
      <p>
        This key is <strong className={`state state-${meta.keyState}`}>{meta.keyState}</strong>
        {pending && meta.deletionDate && (
          <>
            {' '}
            and will be deleted on <DateText value={meta.deletionDate} />
          </>
        )}
        .
      </p>
      <div className="actions">
        {meta.keyState === 'Disabled' && (
          <Button busy={action.busy} onClick={() => act('Enabling the key…', () => request(EnableKey, { input }), 'Key enabled.')}>
            Enable key
          </Button>
        )}
        {meta.keyState === 'Enabled' && (
          <Button busy={action.busy} onClick={() => act('Disabling the key…', () => request(DisableKey, { input }), 'Key disabled.')}>
            Disable key
          </Button>
        )}
        {pending ? (
          <Button
            variant="primary"
            busy={action.busy}
            onClick={() => act('Cancelling the deletion…', () => request(CancelKeyDeletion, { input }), 'Deletion cancelled; the key is disabled.')}
          >
            Cancel deletion
          </Button>
        ) : (
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Schedule deletion
          </Button>
        )}
      </div>
      <Status action={action} />
      {notice && (
        <p className="status" role="status">
          {notice}
        </p>
      )}
      <ScheduleDeletionDialog
        open={confirming}
        data={data}
        onClose={() => setConfirming(false)}
        onScheduled={(message) => {
          setConfirming(false);
          action.clear();
          setNotice(message);
          reload();
        }}
      />
    </section>
  );
}

function ScheduleDeletionDialog(props: { open: boolean; data: KeyData; onClose: () => void; onScheduled: (message: string) => void }) {
  const { data } = props;
  const [typed, setTyped] = useState('');
  const [days, setDays] = useState(30);
  const action = useAction();
  const names = [data.keyId, data.keyArn, ...(data.aliases ?? []).map((alias) => alias.aliasName)];
  const confirmed = names.includes(typed.trim());
  const label = data.aliases?.[0]?.aliasName ? `${data.keyId} (${data.aliases[0].aliasName})` : data.keyId;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) return;
    const result = await action.run(
      'Scheduling the deletion…',
      () => request(ScheduleKeyDeletion, { input: { keyId: data.keyId, pendingWindowInDays: days } }),
    );
    const scheduled = result?.scheduleKeyDeletion;
    if (scheduled) {
      setTyped('');
      props.onScheduled(`Deletion scheduled for ${new Date(scheduled.deletionDate).toLocaleString()}.`);
    }
  };

  return (
    <Dialog open={props.open} title="Schedule key deletion" onClose={props.onClose}>
      <form className="form" onSubmit={submit}>
        <p>
          Key <strong className="mono">{label}</strong> will be deleted at the end of the waiting period, with all its
          material: whatever it encrypted can no longer be decrypted. Until then you can cancel the deletion.
        </p>
        <label htmlFor="delete-days">Waiting period (days)</label>
        <input
          id="delete-days"
          type="number"
          min={7}
          max={30}
          required
          value={days}
          onChange={(event) => setDays(Number(event.target.value))}
        />
        <label htmlFor="delete-confirm">Type the key ID or an alias to confirm</label>
        <input
          id="delete-confirm"
          value={typed}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setTyped(event.target.value)}
          placeholder={data.keyId}
        />
        <div className="actions">
          <Button type="submit" variant="danger" busy={action.busy} disabled={!confirmed}>
            Schedule deletion
          </Button>
          <Button onClick={props.onClose}>Cancel</Button>
        </div>
        <Status action={action} />
      </form>
    </Dialog>
  );
}

function Aliases({ data, reload, problem }: SectionProps) {
  const [aliasName, setAliasName] = useState('alias/');
  const action = useAction();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const name = aliasName.trim();
    const done = await action.run(
      'Adding the alias…',
      () => request(CreateAlias, { input: { aliasName: name, targetKeyId: data.keyId } }),
      `Alias ${name} added.`,
    );
    if (done) {
      setAliasName('alias/');
      reload();
    }
  };

  const remove = async (name: string) => {
    const done = await action.run('Removing the alias…', () => request(DeleteAlias, { input: { aliasName: name } }), `Alias ${name} removed.`);
    if (done) reload();
  };

  return (
    <section className="card" aria-labelledby="aliases-title">
      <h2 id="aliases-title">Aliases</h2>
      <ErrorText error={problem} />
      {problem ? null : (data.aliases ?? []).length === 0 ? (
        <p>No aliases.</p>
      ) : (
        <ul className="chips" aria-label="Aliases">
          {(data.aliases ?? []).map((alias) => (
            <li key={alias.aliasName}>
              <span className="mono">{alias.aliasName}</span>
              <Button busy={action.busy} aria-label={`Remove alias ${alias.aliasName}`} onClick={() => remove(alias.aliasName)}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={add}>
        <div className="field field-wide">
          <label htmlFor="alias-name">Alias name</label>
          <input id="alias-name" value={aliasName} spellCheck={false} onChange={(event) => setAliasName(event.target.value)} />
        </div>
        <Button type="submit" busy={action.busy}>
          Add alias
        </Button>
      </form>
      <Status action={action} />
    </section>
  );
}

function Tags({ data, reload, problem }: SectionProps) {
  const [tagKey, setTagKey] = useState('');
  const [tagValue, setTagValue] = useState('');
  const action = useAction();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const done = await action.run(
      'Adding the tag…',
      () => request(TagResource, { input: { keyId: data.keyId, tags: [{ tagKey: tagKey.trim(), tagValue }] } }),
      `Tag ${tagKey.trim()} added.`,
    );
    if (done) {
      setTagKey('');
      setTagValue('');
      reload();
    }
  };

  const remove = async (key: string) => {
    const done = await action.run(
      'Removing the tag…',
      () => request(UntagResource, { input: { keyId: data.keyId, tagKeys: [key] } }),
      `Tag ${key} removed.`,
    );
    if (done) reload();
  };

  return (
    <section className="card" aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      <ErrorText error={problem} />
      {problem ? null : (data.tags ?? []).length === 0 ? (
        <p>No tags.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Tag key</th>
                <th scope="col">Tag value</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(data.tags ?? []).map((tag) => (
                <tr key={tag.tagKey}>
                  <th scope="row">{tag.tagKey}</th>
                  <td>{tag.tagValue}</td>
                  <td>
                    <Button busy={action.busy} aria-label={`Remove tag ${tag.tagKey}`} onClick={() => remove(tag.tagKey)}>
                      Remove
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="inline-form" onSubmit={add}>
        <div className="field">
          <label htmlFor="tag-key">Tag key</label>
          <input id="tag-key" required value={tagKey} onChange={(event) => setTagKey(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="tag-value">Tag value</label>
          <input id="tag-value" value={tagValue} onChange={(event) => setTagValue(event.target.value)} />
        </div>
        <Button type="submit" busy={action.busy}>
          Add tag
        </Button>
      </form>
      <Status action={action} />
    </section>
  );
}

function Grants({ data, reload, problem }: SectionProps) {
  const [grantee, setGrantee] = useState('');
  const [retiring, setRetiring] = useState('');
  const [name, setName] = useState('');
  const [operations, setOperations] = useState<GrantOperation[]>([]);
  const [created, setCreated] = useState<{ grantId: string; grantToken: string } | null>(null);
  const action = useAction();
  const grants = data.grants ?? [];

  const toggle = (operation: GrantOperation, on: boolean) =>
    setOperations(on ? [...operations, operation] : operations.filter((item) => item !== operation));

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const result = await action.run(
      'Creating the grant…',
      () =>
        request(CreateGrant, {
          input: {
            keyId: data.keyId,
            granteePrincipal: grantee.trim(),
            operations,
            retiringPrincipal: retiring.trim() || null,
            name: name.trim() || null,
          },
        }),
      (value) => `Grant ${value.createGrant?.grantId ?? ''} created.`,
    );
    if (result?.createGrant) {
      setCreated(result.createGrant);
      setOperations([]);
      reload();
    }
  };

  const end = async (how: 'retire' | 'revoke', grantId: string) => {
    const input = { keyId: data.keyId, grantId };
    const done =
      how === 'retire'
        ? await action.run('Retiring the grant…', () => request(RetireGrant, { input }), `Grant ${grantId} retired.`)
        : await action.run('Revoking the grant…', () => request(RevokeGrant, { input }), `Grant ${grantId} revoked.`);
    if (done) reload();
  };

  return (
    <section className="card" aria-labelledby="grants-title">
      <h2 id="grants-title">Grants</h2>
      <ErrorText error={problem} />
      {problem ? null : grants.length === 0 ? (
        <p>No grants.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Grants">
          <table>
            <thead>
              <tr>
                <th scope="col">Grant ID</th>
                <th scope="col">Name</th>
                <th scope="col">Grantee</th>
                <th scope="col">Operations</th>
                <th scope="col">Constraints</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {grants.map((grant) => (
                <tr key={grant.grantId}>
                  <th scope="row" className="mono">
                    {grant.grantId}
                  </th>
                  <td>{grant.name ?? '—'}</td>
                  <td className="mono">{grant.granteePrincipal}</td>
                  <td>{grant.operations.join(', ')}</td>
                  <td className="mono">
                    {grant.constraints?.encryptionContextEquals && `equals ${JSON.stringify(grant.constraints.encryptionContextEquals)}`}
                    {grant.constraints?.encryptionContextSubset && `subset ${JSON.stringify(grant.constraints.encryptionContextSubset)}`}
                  </td>
                  <td>
                    <DateText value={grant.creationDate} />
                  </td>
                  <td className="row-actions">
                    <Button busy={action.busy} aria-label={`Retire grant ${grant.grantId}`} onClick={() => end('retire', grant.grantId)}>
                      Retire
                    </Button>
                    <Button
                      variant="danger"
                      busy={action.busy}
                      aria-label={`Revoke grant ${grant.grantId}`}
                      onClick={() => end('revoke', grant.grantId)}
                    >
                      Revoke
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="form" onSubmit={create} aria-labelledby="grant-create-title">
        <h3 id="grant-create-title">Create a grant</h3>
        <label htmlFor="grant-grantee">Grantee principal</label>
        <input
          id="grant-grantee"
          required
          spellCheck={false}
          value={grantee}
          placeholder="arn:aws:iam::111122223333:user/alice"
          onChange={(event) => setGrantee(event.target.value)}
        />
        <fieldset className="checkboxes">
          <legend>Operations</legend>
          {GRANT_OPERATIONS.map((operation) => (
            <label key={operation}>
              <input
                type="checkbox"
                checked={operations.includes(operation)}
                onChange={(event) => toggle(operation, event.target.checked)}
              />
              {operation}
            </label>
          ))}
        </fieldset>
        <label htmlFor="grant-name">Grant name (optional)</label>
        <input id="grant-name" value={name} onChange={(event) => setName(event.target.value)} />
        <label htmlFor="grant-retiring">Retiring principal (optional)</label>
        <input id="grant-retiring" spellCheck={false} value={retiring} onChange={(event) => setRetiring(event.target.value)} />
        <div className="actions">
          <Button type="submit" variant="primary" busy={action.busy} disabled={operations.length === 0}>
            Create grant
          </Button>
        </div>
        <Status action={action} />
        {created && (
          <p className="notice">
            Grant <span className="mono">{created.grantId}</span> created. Its grant token, shown this once:{' '}
            <code className="wrap">{created.grantToken}</code>
          </p>
        )}
      </form>
    </section>
  );
}

function Rotation({ data, reload, problem }: SectionProps) {
  const status = data.rotationStatus;
  const [period, setPeriod] = useState(status?.rotationPeriodInDays ?? 365);
  const action = useAction();
  const input = { keyId: data.keyId };

  const act = async (doing: string, work: () => Promise<unknown>, done: string) => {
    const result = await action.run(doing, work, done);
    if (result) reload();
  };

  return (
    <section className="card" aria-labelledby="rotation-title">
      <h2 id="rotation-title">Rotation</h2>
      <ErrorText error={problem} />
      {problem ? null : status ? (
        <p>
          Automatic rotation is <strong>{status.keyRotationEnabled ? 'on' : 'off'}</strong>
          {status.keyRotationEnabled && (
            <>
              , every {status.rotationPeriodInDays} days; next on <DateText value={status.nextRotationDate} />
            </>
          )}
          .
        </p>
      ) : (
        <p>This key does not rotate (only symmetric encryption keys with keygraph's material do).</p>
      )}
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void act(
            'Turning automatic rotation on…',
            () => request(EnableKeyRotation, { input: { keyId: data.keyId, rotationPeriodInDays: period } }),
            'Automatic rotation is on.',
          );
        }}
      >
        <div className="field">
          <label htmlFor="rotation-period">Rotation period (days)</label>
          <input
            id="rotation-period"
            type="number"
            min={90}
            max={2560}
            value={period}
            onChange={(event) => setPeriod(Number(event.target.value))}
          />
        </div>
        <Button type="submit" busy={action.busy}>
          {status?.keyRotationEnabled ? 'Change rotation period' : 'Enable automatic rotation'}
        </Button>
        {status?.keyRotationEnabled && (
          <Button
            busy={action.busy}
            onClick={() => act('Turning automatic rotation off…', () => request(DisableKeyRotation, { input }), 'Automatic rotation is off.')}
          >
            Disable automatic rotation
          </Button>
        )}
        <Button busy={action.busy} onClick={() => act('Rotating…', () => request(RotateKeyOnDemand, { input }), 'Key material rotated.')}>
          Rotate now
        </Button>
      </form>
      <Status action={action} />
      <h3>Rotation history</h3>
      {(data.rotations ?? []).length === 0 ? (
        <p>No rotations yet.</p>
      ) : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Rotation history">
          <table>
            <thead>
              <tr>
                <th scope="col">Rotated</th>
                <th scope="col">Type</th>
                <th scope="col">Key material</th>
                <th scope="col">Material state</th>
              </tr>
            </thead>
            <tbody>
              {(data.rotations ?? []).map((rotation) => (
                <tr key={rotation.keyMaterialId}>
                  <td>
                    <DateText value={rotation.rotationDate} />
                  </td>
                  <td>{rotation.rotationType ?? '—'}</td>
                  <td className="mono">{rotation.keyMaterialId}</td>
                  <td>{rotation.keyMaterialState}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

