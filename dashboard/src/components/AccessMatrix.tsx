/**
 * Who can do what to a key (Key.access): every principal keygraph knows in the key's account and
 * those the policy and grants name, times every catalog action on keys, as keygraph's evaluator
 * decides it. Shown as a matrix, actions down and principals across, filterable.
 */
import { useMemo, useState } from 'react';
import { request } from '../api';
import type { Caller } from '../App';
import { graphql } from '../gql';
import type { KeyAccessQuery } from '../gql/graphql';
import { ErrorText, Loading } from './ui';
import { useLoad } from '../hooks';

const KeyAccess = graphql(`
  query KeyAccess($keyId: String!) {
    key(keyId: $keyId) {
      keyId
      access {
        principal
        action
        verdict
        source
        decidedBy
        conditions
      }
    }
  }
`);

type Entry = NonNullable<KeyAccessQuery['key']['access']>[number];

const VERDICTS: Record<Entry['verdict'], string> = {
  ALLOWED: 'Allowed',
  CONDITIONAL: 'Conditional',
  DENIED: 'Denied',
};

/** "arn:aws:iam::111122223333:user/alice" → "user/alice": the part that tells principals apart. */
function shortPrincipal(arn: string): string {
  const at = arn.lastIndexOf(':');
  return at === -1 ? arn : arn.slice(at + 1);
}

const SOURCES: Record<NonNullable<Entry['source']>, string> = {
  POLICY: 'by policy',
  GRANT: 'by a grant',
};

interface Props {
  keyId: string;
  caller: Caller;
  /** Any value that changes when the key changed (its policy, its grants): the matrix is loaded again. */
  refresh?: unknown;
}

export function AccessMatrix({ keyId, caller, refresh }: Props) {
  const access = useLoad(() => request(KeyAccess, { keyId }), [keyId, refresh]);
  const [principal, setPrincipal] = useState('');
  const [actionText, setActionText] = useState('');
  const [verdict, setVerdict] = useState<Entry['verdict'] | ''>('');
  const entries = access.data?.key.access ?? [];

  const { principals, actions, cells } = useMemo(() => {
    const cells = new Map<string, Entry>();
    const principals: string[] = [];
    const actions: string[] = [];
    for (const entry of entries) {
      if (!principals.includes(entry.principal)) principals.push(entry.principal);
      if (!actions.includes(entry.action)) actions.push(entry.action);
      cells.set(`${entry.principal} ${entry.action}`, entry);
    }
    return { principals, actions, cells };
  }, [entries]);

  const shownPrincipals = principal ? principals.filter((item) => item === principal) : principals;
  const needle = actionText.trim().toLowerCase();
  const shownActions = actions.filter(
    (action) =>
      action.toLowerCase().includes(needle) &&
      (!verdict || shownPrincipals.some((item) => cells.get(`${item} ${action}`)?.verdict === verdict)),
  );

  return (
    <div className="access">
      <form className="filters" role="search" aria-label="Filter access" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="access-principal">Principal</label>
          <select id="access-principal" value={principal} onChange={(event) => setPrincipal(event.target.value)}>
            <option value="">All principals</option>
            {principals.map((item) => (
              <option key={item} value={item}>
                {item}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="access-action">Action</label>
          <input id="access-action" type="search" value={actionText} onChange={(event) => setActionText(event.target.value)} placeholder="Encrypt" />
        </div>
        <div className="field">
          <label htmlFor="access-verdict">Verdict</label>
          <select id="access-verdict" value={verdict} onChange={(event) => setVerdict(event.target.value as Entry['verdict'] | '')}>
            <option value="">Any</option>
            {Object.entries(VERDICTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorText error={access.error} />
      {access.loading && !access.data && <Loading what="who can do what" />}
      {access.data && (
        <>
          <p className="status" role="status" aria-live="polite">
            {shownActions.length} actions × {shownPrincipals.length} principals{access.loading ? ' (updating…)' : ''}
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Access matrix">
            <table className="matrix">
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  {shownPrincipals.map((item) => (
                    <th scope="col" key={item} title={item}>
                      <span className="mono">{shortPrincipal(item)}</span>
                      {item === caller.arn && <span className="badge">you</span>}
                      <span className="visually-hidden"> ({item})</span>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shownActions.map((action) => (
                  <tr key={action}>
                    <th scope="row" className="mono">
                      {action}
                    </th>
                    {shownPrincipals.map((item) => {
                      const entry = cells.get(`${item} ${action}`);
                      if (!entry) return <td key={item}>—</td>;
                      return (
                        <td key={item} className={`verdict verdict-${entry.verdict}`} data-verdict={entry.verdict} title={entry.decidedBy ?? undefined}>
                          <strong>{VERDICTS[entry.verdict]}</strong> <small>{entry.source ? SOURCES[entry.source] : 'by default'}</small>
                          {entry.decidedBy && <small className="decided-by">{entry.decidedBy}</small>}
                          {entry.conditions.length > 0 && (
                            <ul className="conditions" aria-label="Conditions">
                              {entry.conditions.map((condition) => (
                                <li key={condition} className="mono">
                                  {condition}
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
