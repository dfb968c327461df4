/**
 * The key policy in a text editor with line numbers. On save (putKeyPolicy) keygraph's policy checker
 * speaks: a refusal names its AWS code and, where it can, the statement (extensions.statementIndex) or
 * the line and column of a JSON syntax error; warnings of a stored policy name their statement. Each
 * is shown at its line: marked in the gutter and listed as "Line N: <code>: <message>".
 */
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, describeError, request } from '../api';
import { graphql } from '../gql';
import { lineRange, readable, statementLine, syntaxError } from '../policy';
import { Button } from './ui';

const PutKeyPolicy = graphql(`
  mutation PutKeyPolicy($input: PutKeyPolicyInput!) {
    putKeyPolicy(input: $input) {
      warnings {
        code
        message
        statementIndex
        sid
      }
    }
  }
`);

interface Marker {
  line: number | null;
  severity: 'error' | 'warning';
  text: string;
}

/** The markers of a refusal: at the line keygraph gave, or the statement's, or the first syntax error's. */
function refusalMarkers(text: string, error: unknown): Marker[] {
  const message = describeError(error);
  if (!(error instanceof ApiError)) return [{ line: null, severity: 'error', text: message }];
  const { line, statementIndex } = error.extensions;
  if (typeof line === 'number') return [{ line, severity: 'error', text: message }];
  if (typeof statementIndex === 'number') return [{ line: statementLine(text, statementIndex), severity: 'error', text: message }];
  if (error.code === 'MalformedPolicyDocumentException') {
    const syntax = syntaxError(text);
    if (syntax) return [{ line: syntax.line, severity: 'error', text: message }];
  }
  return [{ line: null, severity: 'error', text: message }];
}

interface Props {
  keyId: string;
  policy: string;
  onSaved: () => void;
}

export function PolicyEditor({ keyId, policy, onSaved }: Props) {
  const [text, setText] = useState(() => readable(policy));
  const [markers, setMarkers] = useState<Marker[]>([]);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const id = useId();

  useEffect(() => setText(readable(policy)), [policy]);

  const lines = text.split('\n').length;
  const marked = new Map<number, Marker['severity']>();
  for (const marker of markers) {
    if (marker.line !== null && marked.get(marker.line) !== 'error') marked.set(marker.line, marker.severity);
  }

  const save = async () => {
    setBusy(true);
    setStatus('Saving the policy…');
    setMarkers([]);
    try {
      const result = await request(PutKeyPolicy, { input: { keyId, policy: text } });
      const warnings = result.putKeyPolicy?.warnings ?? [];
      setMarkers(
        warnings.map((warning) => ({
          line: statementLine(text, warning.statementIndex),
          severity: 'warning',
          text: `${warning.code}: ${warning.message}`,
        })),
      );
      setStatus(warnings.length > 0 ? `Policy saved, with ${warnings.length} warning(s).` : 'Policy saved.');
      onSaved();
    } catch (error) {
      setMarkers(refusalMarkers(text, error));
      setStatus('The policy was not saved.');
    } finally {
      setBusy(false);
    }
  };

  const goTo = (line: number) => {
    const textarea = area.current;
    if (!textarea) return;
    const [start, end] = lineRange(text, line);
    textarea.focus();
    textarea.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
  };

  return (
    <div className="policy-editor">
      <label htmlFor={`${id}-policy`}>Key policy</label>
      <div className="editor">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, index) => {
            const severity = marked.get(index + 1);
            return (
              <div key={index} className={severity ? `gutter-line gutter-${severity}` : 'gutter-line'}>
                {index + 1}
              </div>
            );
          })}
        </div>
        <textarea
          id={`${id}-policy`}
          ref={area}
          className="mono"
          wrap="off"
          spellCheck={false}
          rows={Math.min(Math.max(lines, 10), 30)}
          value={text}
          aria-describedby={`${id}-problems`}
          aria-invalid={markers.some((marker) => marker.severity === 'error') || undefined}
          onChange={(event) => setText(event.target.value)}
          onScroll={(event) => {
            if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
          }}
        />
      </div>
      <div className="actions">
        <Button variant="primary" busy={busy} onClick={save}>
          Save policy
        </Button>
        <Button onClick={() => { setText(readable(policy)); setMarkers([]); setStatus(''); }} disabled={busy}>
          Revert
        </Button>
      </div>
      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
      <ul id={`${id}-problems`} className="problems" aria-label="Policy problems">
        {markers.map((marker, index) => (
          <li key={index} className={`problem problem-${marker.severity}`} role={marker.severity === 'error' ? 'alert' : undefined}>
            {marker.line !== null ? (
              <>
                <Button className="link-button" onClick={() => goTo(marker.line!)} aria-label={`Go to line ${marker.line}`}>
                  Line {marker.line}
                </Button>
                {`: ${marker.text}`}
              </>
            ) : (
              marker.text
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
