/** The catalog: every action keygraph authorizes, filtered as the privileges(filter:) field filters. */
import { useState } from 'react';
import { request } from '../api';
import { graphql } from '../gql';
import type { AccessLevel } from '../gql/graphql';
import { ErrorText, Loading } from '../components/ui';
import { useDebounced, useLoad } from '../hooks';

const Catalog = graphql(`
  query Catalog($filter: PrivilegeFilter) {
    privileges(filter: $filter) {
      action
      description
      accessLevel
      accessLevelName
      fromSeed
      amendedConditionKeys
      conditionKeys
      dependentActions
      operation
      operationType
      resourceTypes {
        resourceType
        required
      }
    }
  }
`);

const CatalogChoices = graphql(`
  query CatalogChoices {
    conditionKeys
    resourceTypes
  }
`);

const ACCESS_LEVELS: { value: AccessLevel; label: string }[] = [
  { value: 'READ', label: 'Read' },
  { value: 'LIST', label: 'List' },
  { value: 'WRITE', label: 'Write' },
  { value: 'PERMISSIONS_MANAGEMENT', label: 'Permissions management' },
  { value: 'TAGGING', label: 'Tagging' },
];

const ALL = '*';

export function CatalogPage() {
  const [accessLevel, setAccessLevel] = useState<AccessLevel | ''>('');
  const [resourceType, setResourceType] = useState(ALL);
  const [conditionKey, setConditionKey] = useState('');
  const [search, setSearch] = useState('');
  const settledSearch = useDebounced(search.trim());
  const settledConditionKey = useDebounced(conditionKey.trim());

  const choices = useLoad(() => request(CatalogChoices), []);
  const catalog = useLoad(
    () =>
      request(Catalog, {
        filter: {
          accessLevel: accessLevel || null,
          resourceType: resourceType === ALL ? null : resourceType,
          conditionKey: settledConditionKey || null,
          search: settledSearch || null,
        },
      }),
    [accessLevel, resourceType, settledConditionKey, settledSearch],
  );
  const privileges = catalog.data?.privileges ?? [];
  const additions = privileges.filter((privilege) => !privilege.fromSeed).length;

  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Catalog</h1>
      <p>
        The actions keygraph authorizes, from AWS's service authorization reference; actions added after it and
        condition keys added by hand are marked <span className="badge badge-added">added</span>.
      </p>
      <form className="filters" role="search" aria-label="Filter the catalog" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="catalog-level">Access level</label>
          <select id="catalog-level" value={accessLevel} onChange={(event) => setAccessLevel(event.target.value as AccessLevel | '')}>
            <option value="">Any</option>
            {ACCESS_LEVELS.map((level) => (
              <option key={level.value} value={level.value}>
                {level.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="catalog-resource">Resource type</label>
          <select id="catalog-resource" value={resourceType} onChange={(event) => setResourceType(event.target.value)}>
            <option value={ALL}>Any</option>
            {(choices.data?.resourceTypes ?? []).map((type) => (
              <option key={type} value={type}>
                {type === '' ? 'All resources (*)' : type}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="catalog-condition">Condition key</label>
          <input
            id="catalog-condition"
            list="catalog-condition-keys"
            value={conditionKey}
            onChange={(event) => setConditionKey(event.target.value)}
            placeholder="kms:EncryptionContext:${TagKey}"
          />
          <datalist id="catalog-condition-keys">
            {(choices.data?.conditionKeys ?? []).map((key) => (
              <option key={key} value={key} />
            ))}
          </datalist>
        </div>
        <div className="field field-wide">
          <label htmlFor="catalog-search">Search</label>
          <input id="catalog-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </div>
      </form>
      <ErrorText error={choices.error} />
      <ErrorText error={catalog.error} />
      {catalog.loading && !catalog.data ? (
        <Loading what="the catalog" />
      ) : (
        <>
          <p role="status" aria-live="polite">
            {privileges.length} actions{additions > 0 ? `, ${additions} added` : ''}
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Actions">
            <table>
              <thead>
                <tr>
                  <th scope="col">Action and description</th>
                  <th scope="col">Access level</th>
                  <th scope="col">Resource types</th>
                  <th scope="col">Condition keys</th>
                  <th scope="col">GraphQL field</th>
                </tr>
              </thead>
              <tbody>
                {privileges.map((privilege) => (
                  <tr key={privilege.action}>
                    <th scope="row" className="action-cell">
                      <code>{privilege.action}</code>
                      {!privilege.fromSeed && (
                        <span className="badge badge-added" title="Newer than the imported privileges page">
                          added
                        </span>
                      )}
                      <span className="description">{privilege.description}</span>
                    </th>
                    <td>{privilege.accessLevelName}</td>
                    <td>
                      {privilege.resourceTypes.map((type) => (
                        <div key={type.resourceType}>
                          {type.resourceType === '' ? '*' : type.resourceType}
                          {type.required ? ' (required)' : ''}
                        </div>
                      ))}
                    </td>
                    <td>
                      <ul className="plain-list">
                        {privilege.conditionKeys.map((key) => (
                          <li key={key}>
                            <code>{key}</code>
                            {privilege.amendedConditionKeys.includes(key) && (
                              <span className="badge badge-added" title="Added by hand to the imported privileges page">
                                added
                              </span>
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      <code>{privilege.operation}</code> <small>({privilege.operationType.toLowerCase()})</small>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
