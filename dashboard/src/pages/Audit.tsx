/**
 * The audit trail, newest first: filters, paging with keygraph's markers, the chain's verification
 * state, and a live tail (a GraphQL subscription over graphql-transport-ws) that puts each new event
 * at the top as it is written, without a reload.
 */
import { useEffect, useMemo, useState } from 'react';
import { createClient } from 'graphql-ws';
import { ApiError, describeError, request, subscriptionUrl } from '../api';
import { graphql } from '../gql';
import type { AuditChainQuery, AuditEventFilter, AuditEventsQuery } from '../gql/graphql';
import { Button, DateText, ErrorText, Loading } from '../components/ui';
import { useDebounced, useLoad, type Loaded } from '../hooks';

const AuditEvents = graphql(`
  query AuditEvents($filter: AuditEventFilter, $limit: Int, $marker: String) {
    auditEvents(filter: $filter, limit: $limit, marker: $marker, order: NEWEST_FIRST) {
      truncated
      nextMarker
      events {
        ...AuditEventFields
      }
    }
  }
`);

graphql(`
  fragment AuditEventFields on AuditEvent {
    seq
    time
    requestId
    principal
    sourceIp
    door
    action
    keyArn
    decision
    decidedBy
    outcome
    detail
  }
`);

const AuditChain = graphql(`
  query AuditChain {
    auditChain {
      verified
      events
      brokenAt
    }
  }
`);

const AuditTail = graphql(`
  subscription AuditTail($filter: AuditEventFilter) {
    auditEvents(filter: $filter) {
      ...AuditEventFields
    }
  }
`);

type AuditEvent = AuditEventsQuery['auditEvents']['events'][number];

const PAGE_SIZE = 50;

/** A datetime-local value (the person's time zone) as an ISO instant, or null when empty. */
function instant(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function AuditPage() {
  const [principal, setPrincipal] = useState('');
  const [action, setAction] = useState('');
  const [keyId, setKeyId] = useState('');
  const [outcome, setOutcome] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [tail, setTail] = useState(true);
  const [markers, setMarkers] = useState<(string | null)[]>([null]);
  const [arrived, setArrived] = useState<AuditEvent[]>([]);
  const [liveState, setLiveState] = useState('');
  const [liveError, setLiveError] = useState<string | null>(null);

  // The text filters query once typing stops; the filter travels as its JSON text, which compares by value.
  const texts = useDebounced(
    JSON.stringify({ principal: principal.trim(), action: action.trim(), keyId: keyId.trim(), outcome: outcome.trim() }),
  );
  const filterKey = useMemo(() => {
    const typed = JSON.parse(texts) as Record<string, string>;
    const filter: AuditEventFilter = {
      principal: typed.principal || null,
      action: typed.action || null,
      keyId: typed.keyId || null,
      outcome: typed.outcome || null,
      from: instant(from),
      to: instant(to),
    };
    return JSON.stringify(filter);
  }, [texts, from, to]);
  const filter = useMemo(() => JSON.parse(filterKey) as AuditEventFilter, [filterKey]);
  const [shownFilter, setShownFilter] = useState(filterKey);
  if (shownFilter !== filterKey) {
    setShownFilter(filterKey);
    setMarkers([null]);
    setArrived([]);
  }
  const marker = markers[markers.length - 1];
  const page = markers.length;

  const events = useLoad(() => request(AuditEvents, { filter, limit: PAGE_SIZE, marker }), [filterKey, marker]);
  const chain = useLoad(() => request(AuditChain), []);

  // The live tail runs on the first page (the newest events) only.
  const live = tail && page === 1;
  useEffect(() => {
    if (!live) {
      setLiveState('');
      return;
    }
    setLiveError(null);
    setLiveState('Live tail: connecting…');
    const client = createClient({
      url: subscriptionUrl(),
      lazy: false,
      retryAttempts: 5,
      on: {
        connected: () => setLiveState('Live tail: connected; new events appear at the top.'),
        closed: () => setLiveState('Live tail: disconnected.'),
      },
    });
    const stop = client.subscribe<{ auditEvents: AuditEvent }>(
      { query: AuditTail.toString(), variables: { filter } },
      {
        next: (message) => {
          if (message.errors?.length) {
            const [first] = message.errors;
            const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'InternalError';
            setLiveError(new ApiError(code, first.message, first.extensions ?? {}).toString());
            return;
          }
          const event = message.data?.auditEvents;
          if (event) setArrived((current) => (current.some((item) => item.seq === event.seq) ? current : [event, ...current]));
        },
        error: (failure) => {
          setLiveError(
            failure instanceof CloseEvent
              ? `ConnectionClosed: the live tail closed (${failure.code}${failure.reason ? `: ${failure.reason}` : ''})`
              : describeError(failure),
          );
        },
        complete: () => setLiveState('Live tail: ended.'),
      },
    );
    return () => {
      stop();
      void client.dispose();
    };
  }, [live, filter]);

  const loaded = events.data?.auditEvents;
  const shown = useMemo(() => {
    const pageEvents = loaded?.events ?? [];
    if (page !== 1) return pageEvents;
    const seen = new Set(pageEvents.map((event) => event.seq));
    return [...arrived.filter((event) => !seen.has(event.seq)), ...pageEvents];
  }, [loaded, arrived, page]);

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit</h1>
      <ChainState chain={chain} />
      <form className="filters" role="search" aria-label="Filter audit events" onSubmit={(event) => event.preventDefault()}>
        <div className="field">
          <label htmlFor="audit-principal">Principal</label>
          <input id="audit-principal" type="search" spellCheck={false} value={principal} onChange={(event) => setPrincipal(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <input id="audit-action" type="search" value={action} placeholder="kms:Encrypt" onChange={(event) => setAction(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-key">Key</label>
          <input id="audit-key" type="search" spellCheck={false} value={keyId} placeholder="Key ID or ARN" onChange={(event) => setKeyId(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-outcome">Outcome</label>
          <input id="audit-outcome" type="search" list="audit-outcomes" value={outcome} placeholder="ok or an error code" onChange={(event) => setOutcome(event.target.value)} />
          <datalist id="audit-outcomes">
            <option value="ok" />
            <option value="AccessDeniedException" />
            <option value="NotFoundException" />
            <option value="ValidationException" />
            <option value="MalformedPolicyDocumentException" />
          </datalist>
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" type="datetime-local" step={1} value={from} onChange={(event) => setFrom(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" type="datetime-local" step={1} value={to} onChange={(event) => setTo(event.target.value)} />
        </div>
        <div className="field field-check">
          <input id="audit-live" type="checkbox" checked={tail} onChange={(event) => setTail(event.target.checked)} />
          <label htmlFor="audit-live">Live tail</label>
        </div>
      </form>
      <p className="status" role="status" aria-live="polite">
        {liveState}
      </p>
      <ErrorText error={liveError} />
      <ErrorText error={events.error} />
      {events.loading && !loaded && <Loading what="audit events" />}
      {loaded && (
        <>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Audit events">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Action</th>
                  <th scope="col">Key</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Decided by</th>
                  <th scope="col">Door</th>
                  <th scope="col">Seq</th>
                </tr>
              </thead>
              <tbody>
                {shown.length === 0 && (
                  <tr>
                    <td colSpan={9}>No events match.</td>
                  </tr>
                )}
                {shown.map((event) => (
                  <tr key={event.seq} className={arrived.includes(event) ? 'arrived' : undefined}>
                    <td>
                      <DateText value={event.time} />
                    </td>
                    <td className="mono">{event.principal}</td>
                    <td className="mono">{event.action}</td>
                    <td className="mono">
                      {event.keyArn ? <span title={event.keyArn}>{event.keyArn.slice(event.keyArn.lastIndexOf('/') + 1)}</span> : '—'}
                    </td>
                    <td>{event.decision ?? '—'}</td>
                    <td className={event.outcome === 'ok' ? 'ok' : 'denied'}>{event.outcome}</td>
                    <td>
                      {event.decidedBy ?? '—'}
                      {event.detail && <div className="hint">{event.detail}</div>}
                    </td>
                    <td>{event.door ?? '—'}</td>
                    <td className="mono">{event.seq}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Audit pages">
            <Button disabled={page === 1 || events.loading} onClick={() => setMarkers(markers.slice(0, -1))}>
              Previous page
            </Button>
            <span>Page {page}</span>
            <Button
              disabled={!loaded.truncated || !loaded.nextMarker || events.loading}
              onClick={() => setMarkers([...markers, loaded.nextMarker ?? null])}
            >
              Next page
            </Button>
          </nav>
        </>
      )}
    </section>
  );
}

function ChainState({ chain }: { chain: Loaded<AuditChainQuery> }) {
  const state = chain.data?.auditChain;
  return (
    <div className="card chain" aria-labelledby="chain-title">
      <h2 id="chain-title">Hash chain</h2>
      <ErrorText error={chain.error} />
      {chain.loading && !state && <Loading what="the chain's state" />}
      {state && (
        <p role="status" className={state.verified ? 'ok' : 'denied'}>
          {state.verified
            ? `Verified: all ${state.events} events chain to one another.`
            : `Broken at event ${state.brokenAt ?? '?'} (of ${state.events}): the trail was changed after it was written.`}
        </p>
      )}
      <Button busy={chain.loading} onClick={chain.reload}>
        Verify again
      </Button>
    </div>
  );
}
