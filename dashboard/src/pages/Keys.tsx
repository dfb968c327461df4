/** The key list, as the AWS KMS console's: filters, sort, paging with keygraph's markers, the total, and create. */
import { useState, type FormEvent } from 'react';
import { request } from '../api';
import { graphql } from '../gql';
import type { KeySortField, KeySpec, KeyState, KeyUsageType, OriginType, SortOrder } from '../gql/graphql';
import { allUsages, KEY_STATES, KeySpecs, ORIGINS, type KeySpecEntry } from '../keyspecs';
import { Link, navigate } from '../router';
import { Button, DateText, Dialog, ErrorText, Loading, Status } from '../components/ui';
import { useAction, useDebounced, useLoad } from '../hooks';

const Keys = graphql(`
  query Keys($input: ListKeysInput) {
    listKeys(input: $input) {
      totalCount
      truncated
      nextMarker
      keys {
        keyId
        keyMetadata {
          description
          keyState
          keySpec
          keyUsage
          origin
          creationDate
        }
        aliases {
          aliasName
        }
      }
    }
  }
`);

const CreateKey = graphql(`
  mutation CreateKey($input: CreateKeyInput) {
    createKey(input: $input) {
      keyMetadata {
        keyId
      }
      warnings {
        message
      }
    }
  }
`);

const SORT_FIELDS: { value: KeySortField; label: string }[] = [
  { value: 'CREATION_DATE', label: 'Creation date' },
  { value: 'KEY_ID', label: 'Key ID' },
  { value: 'KEY_STATE', label: 'State' },
  { value: 'KEY_SPEC', label: 'Key spec' },
  { value: 'DESCRIPTION', label: 'Description' },
];

const PAGE_SIZES = [10, 25, 50, 100];

function Choice<T extends string>(props: { id: string; label: string; value: T | ''; options: readonly T[]; onChange: (value: T | '') => void }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(event) => props.onChange(event.target.value as T | '')}>
        <option value="">Any</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

export function KeysPage() {
  const [state, setState] = useState<KeyState | ''>('');
  const [spec, setSpec] = useState<KeySpec | ''>('');
  const [usage, setUsage] = useState<KeyUsageType | ''>('');
  const [origin, setOrigin] = useState<OriginType | ''>('');
  const [text, setText] = useState('');
  const [sortBy, setSortBy] = useState<KeySortField>('CREATION_DATE');
  const [sortOrder, setSortOrder] = useState<SortOrder>('DESCENDING');
  const [limit, setLimit] = useState(25);
  // The markers of the pages before this one: "Previous page" goes back one.
  const [markers, setMarkers] = useState<(string | null)[]>([null]);
  const [creating, setCreating] = useState(false);
  const settledText = useDebounced(text.trim());
  const marker = markers[markers.length - 1];

  const filterKey = [state, spec, usage, origin, settledText, sortBy, sortOrder, limit].join('|');
  const [shownFilter, setShownFilter] = useState(filterKey);
  if (shownFilter !== filterKey) {
    // Another filter or order starts again at the first page.
    setShownFilter(filterKey);
    setMarkers([null]);
  }

  const specs = useLoad(() => request(KeySpecs, {}), []);
  const specEntries = specs.data?.keySpecs ?? [];

  const keys = useLoad(
    () =>
      request(Keys, {
        input: {
          limit,
          marker,
          sortBy,
          sortOrder,
          filter: {
            keyStates: state ? [state] : null,
            keySpecs: spec ? [spec] : null,
            keyUsages: usage ? [usage] : null,
            origins: origin ? [origin] : null,
            text: settledText || null,
          },
        },
      }),
    [filterKey, marker],
  );
  const result = keys.data?.listKeys;
  const page = markers.length;
  const first = result ? (page - 1) * limit + 1 : 0;
  const last = result ? (page - 1) * limit + result.keys.length : 0;

  return (
    <section aria-labelledby="keys-title">
      <div className="title-row">
        <h1 id="keys-title">Keys</h1>
        <Button variant="primary" onClick={() => setCreating(true)}>
          Create key
        </Button>
      </div>
      <form className="filters" role="search" aria-label="Filter keys" onSubmit={(event) => event.preventDefault()}>
        <Choice id="keys-state" label="State" value={state} options={KEY_STATES} onChange={setState} />
        <Choice
          id="keys-spec"
          label="Key spec"
          value={spec}
          options={specEntries.map((entry) => entry.keySpec)}
          onChange={setSpec}
        />
        <Choice id="keys-usage" label="Usage" value={usage} options={allUsages(specEntries)} onChange={setUsage} />
        <Choice id="keys-origin" label="Origin" value={origin} options={ORIGINS} onChange={setOrigin} />
        <div className="field field-wide">
          <label htmlFor="keys-text">Search</label>
          <input
            id="keys-text"
            type="search"
            value={text}
            onChange={(event) => setText(event.target.value)}
            placeholder="Key ID, description, alias or tag"
            aria-describedby="keys-text-hint"
          />
          <span id="keys-text-hint" className="visually-hidden">
            Matches the key ID, the description, an alias name, or a tag key or value.
          </span>
        </div>
        <div className="field">
          <label htmlFor="keys-sort">Sort by</label>
          <select id="keys-sort" value={sortBy} onChange={(event) => setSortBy(event.target.value as KeySortField)}>
            {SORT_FIELDS.map((field) => (
              <option key={field.value} value={field.value}>
                {field.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="keys-order">Order</label>
          <select id="keys-order" value={sortOrder} onChange={(event) => setSortOrder(event.target.value as SortOrder)}>
            <option value="ASCENDING">Ascending</option>
            <option value="DESCENDING">Descending</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="keys-limit">Page size</label>
          <select id="keys-limit" value={limit} onChange={(event) => setLimit(Number(event.target.value))}>
            {PAGE_SIZES.map((size) => (
              <option key={size} value={size}>
                {size}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorText error={keys.error} />
      {keys.loading && !result && <Loading what="keys" />}
      {result && (
        <>
          <p role="status" aria-live="polite" className="count">
            {result.totalCount === 0
              ? 'No keys match.'
              : `Keys ${first}–${last} of ${result.totalCount}`}
            {keys.loading && ' (updating…)'}
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Keys">
            <table>
              <thead>
                <tr>
                  <th scope="col">Key ID</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Description</th>
                  <th scope="col">State</th>
                  <th scope="col">Key spec</th>
                  <th scope="col">Usage</th>
                  <th scope="col">Origin</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {result.keys.map((key) => (
                  <tr key={key.keyId}>
                    <th scope="row">
                      <Link to={`/keys/${encodeURIComponent(key.keyId)}`} className="mono">
                        {key.keyId}
                      </Link>
                    </th>
                    <td>{key.aliases?.map((alias) => <div key={alias.aliasName}>{alias.aliasName}</div>)}</td>
                    <td>{key.keyMetadata?.description}</td>
                    <td>
                      <span className={`state state-${key.keyMetadata?.keyState ?? ''}`}>{key.keyMetadata?.keyState}</span>
                    </td>
                    <td>{key.keyMetadata?.keySpec}</td>
                    <td>{key.keyMetadata?.keyUsage}</td>
                    <td>{key.keyMetadata?.origin}</td>
                    <td>
                      <DateText value={key.keyMetadata?.creationDate} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Key pages">
            <Button disabled={page === 1 || keys.loading} onClick={() => setMarkers(markers.slice(0, -1))}>
              Previous page
            </Button>
            <span>Page {page}</span>
            <Button
              disabled={!result.truncated || !result.nextMarker || keys.loading}
              onClick={() => setMarkers([...markers, result.nextMarker ?? null])}
            >
              Next page
            </Button>
          </nav>
        </>
      )}
      <CreateKeyDialog open={creating} specs={specEntries} onClose={() => setCreating(false)} />
    </section>
  );
}

function CreateKeyDialog({ open, specs, onClose }: { open: boolean; specs: readonly KeySpecEntry[]; onClose: () => void }) {
  const [description, setDescription] = useState('');
  const [spec, setSpec] = useState<KeySpec>('SYMMETRIC_DEFAULT');
  const [usage, setUsage] = useState<KeyUsageType>('ENCRYPT_DECRYPT');
  const action = useAction();
  // CreateKey makes (origin AWS_KMS) only what this deployment's HSM generates.
  const offered = specs.filter((entry) => entry.generated);
  const usages = offered.find((entry) => entry.keySpec === spec)?.keyUsages ?? [];
  const chosenUsage = usages.includes(usage) ? usage : usages[0];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await action.run(
      'Creating the key…',
      () => request(CreateKey, { input: { description, keySpec: spec, keyUsage: chosenUsage } }),
      'Key created.',
    );
    const keyId = result?.createKey?.keyMetadata.keyId;
    if (keyId) {
      onClose();
      navigate(`/keys/${encodeURIComponent(keyId)}`);
    }
  };

  return (
    <Dialog open={open} title="Create key" onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <label htmlFor="create-description">Description</label>
        <input id="create-description" value={description} onChange={(event) => setDescription(event.target.value)} />
        <label htmlFor="create-spec">Key spec</label>
        <select id="create-spec" value={spec} onChange={(event) => setSpec(event.target.value as KeySpec)}>
          {offered.map((entry) => (
            <option key={entry.keySpec} value={entry.keySpec}>
              {entry.keySpec}
            </option>
          ))}
        </select>
        <label htmlFor="create-usage">Key usage</label>
        <select id="create-usage" value={chosenUsage} onChange={(event) => setUsage(event.target.value as KeyUsageType)}>
          {usages.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <p className="hint">Only the usages AWS allows for the chosen key spec are offered, and only the specs this HSM makes.</p>
        <div className="actions">
          <Button type="submit" variant="primary" busy={action.busy}>
            Create
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
        <Status action={action} />
      </form>
    </Dialog>
  );
}
