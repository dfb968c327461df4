/**
 * Access: for a key, the matrix of who can do what, and an IAM-policy-simulator-like form
 * (simulateAccess) that shows the decision and the statements or grants that decided it.
 */
import { useState, type FormEvent } from 'react';
import { request } from '../api';
import type { Caller } from '../App';
import { graphql } from '../gql';
import type { SimulateAccessQuery } from '../gql/graphql';
import { navigate, useRoute } from '../router';
import { AccessMatrix } from '../components/AccessMatrix';
import { ContextRows, toStringMap, type Row } from '../components/ContextRows';
import { Button, Status } from '../components/ui';
import { useAction, useLoad } from '../hooks';

const SimulateAccess = graphql(`
  query SimulateAccess($input: SimulateAccessInput!) {
    simulateAccess(input: $input) {
      decision
      allowed
      principal
      action
      resource
      message
      reasons {
        source
        effect
        statement
        sid
        grantId
      }
      conditionValues {
        key
        values
      }
    }
  }
`);

const KeyActions = graphql(`
  query KeyActions {
    privileges(filter: { resourceType: "key" }) {
      action
    }
  }
`);

export function AccessPage({ caller }: { caller: Caller }) {
  const { search } = useRoute();
  const keyId = search.get('key') ?? '';
  const [typed, setTyped] = useState(keyId);

  const show = (event: FormEvent) => {
    event.preventDefault();
    navigate(`/access?key=${encodeURIComponent(typed.trim())}`);
  };

  return (
    <section aria-labelledby="access-page-title">
      <h1 id="access-page-title">Access</h1>
      <p>
        Who can do what to a key, from its policy, the principals' identity policies and its grants together, decided by
        the evaluator keygraph authorizes with.
      </p>
      <form className="inline-form" onSubmit={show}>
        <div className="field field-wide">
          <label htmlFor="access-key">Key ID or alias</label>
          <input id="access-key" required spellCheck={false} value={typed} onChange={(event) => setTyped(event.target.value)} />
        </div>
        <Button type="submit" variant="primary">
          Show access
        </Button>
      </form>
      {keyId && (
        <section className="card" aria-labelledby="access-matrix-title">
          <h2 id="access-matrix-title">
            Who can do what to <span className="mono">{keyId}</span>
          </h2>
          <AccessMatrix keyId={keyId} caller={caller} />
        </section>
      )}
      <Simulator key={keyId} keyId={keyId} caller={caller} />
    </section>
  );
}

type Simulation = SimulateAccessQuery['simulateAccess'];

function Simulator({ keyId, caller }: { keyId: string; caller: Caller }) {
  const [principal, setPrincipal] = useState(caller.arn);
  const [action, setAction] = useState('kms:Encrypt');
  const [key, setKey] = useState(keyId);
  const [context, setContext] = useState<Row[]>([]);
  const [result, setResult] = useState<Simulation | null>(null);
  const running = useAction();
  const actions = useLoad(() => request(KeyActions), []);

  const simulate = async (event: FormEvent) => {
    event.preventDefault();
    const answer = await running.run(
      'Simulating…',
      () =>
        request(SimulateAccess, {
          input: {
            principal: principal.trim(),
            action: action.trim(),
            keyId: key.trim() || null,
            encryptionContext: toStringMap(context),
          },
        }),
      (value) => `Decision: ${value.simulateAccess.decision}.`,
    );
    if (answer) setResult(answer.simulateAccess);
  };

  return (
    <section className="card" aria-labelledby="simulate-title">
      <h2 id="simulate-title">Simulate a request</h2>
      <form className="form" onSubmit={simulate}>
        <label htmlFor="simulate-principal">Principal ARN</label>
        <input id="simulate-principal" required spellCheck={false} value={principal} onChange={(event) => setPrincipal(event.target.value)} />
        <label htmlFor="simulate-action">Action</label>
        <input id="simulate-action" required list="simulate-actions" value={action} onChange={(event) => setAction(event.target.value)} />
        <datalist id="simulate-actions">
          {(actions.data?.privileges ?? []).map((privilege) => (
            <option key={privilege.action} value={privilege.action} />
          ))}
        </datalist>
        <label htmlFor="simulate-key">Key ID, ARN or alias</label>
        <input id="simulate-key" spellCheck={false} value={key} onChange={(event) => setKey(event.target.value)} />
        <ContextRows legend="Encryption context" rows={context} onChange={setContext} idPrefix="simulate-context" />
        <div className="actions">
          <Button type="submit" variant="primary" busy={running.busy}>
            Simulate
          </Button>
        </div>
        <Status action={running} />
      </form>
      {result && (
        <div className="simulation" aria-labelledby="simulation-title">
          <h3 id="simulation-title">
            Decision:{' '}
            <span className={result.allowed ? 'ok' : 'denied'} data-testid="decision">
              {result.decision}
            </span>
          </h3>
          <p className="mono">
            {result.principal} → {result.action} on {result.resource}
          </p>
          {result.message && <p>{result.message}</p>}
          <h4>Deciding statements and grants</h4>
          {result.reasons.length === 0 ? (
            <p>None: nothing allows the request, so it is denied by default.</p>
          ) : (
            <ul className="reasons">
              {result.reasons.map((reason, index) => (
                <li key={index}>
                  <strong>{reason.effect}</strong> by {reason.source}
                  {reason.sid && <> (Sid "{reason.sid}")</>}
                  {reason.grantId && (
                    <>
                      {' '}
                      grant <span className="mono">{reason.grantId}</span>
                    </>
                  )}
                  {reason.statement && <pre className="statement">{reason.statement}</pre>}
                </li>
              ))}
            </ul>
          )}
          {result.conditionValues.length > 0 && (
            <>
              <h4>Condition values seen</h4>
              <dl className="metadata">
                {result.conditionValues.map((value) => (
                  <div key={value.key}>
                    <dt className="mono">{value.key}</dt>
                    <dd className="mono">{value.values.join(', ')}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
        </div>
      )}
    </section>
  );
}
