/** Small building blocks every page uses, so busy states, errors and dialogs behave one way. */
import { useEffect, useId, useRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import type { Action } from '../hooks';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { busy?: boolean; variant?: 'primary' | 'danger' | 'plain' };

/** A button that shows its operation is running (aria-busy, disabled, a spinner) without changing its name. */
export function Button({ busy = false, variant = 'plain', className, disabled, children, type, ...rest }: ButtonProps) {
  return (
    <button
      type={type ?? 'button'}
      className={['button', `button-${variant}`, className].filter(Boolean).join(' ')}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {children}
      {busy && <span className="spinner" aria-hidden="true" />}
    </button>
  );
}

/** An error as "<code>: <message>", announced when it appears. */
export function ErrorText({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** What an operation is doing or has done, for screen readers too (aria-live). */
export function Status({ action }: { action: Pick<Action, 'status' | 'error'> }) {
  return (
    <>
      <p className="status" role="status" aria-live="polite">
        {action.status}
      </p>
      <ErrorText error={action.error} />
    </>
  );
}

/** A loading line for a region that waits for data. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="status" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/**
 * A modal dialog: the browser's own <dialog> opened with showModal(), so the page behind is inert
 * (focus stays inside), Escape closes it, and focus returns to the control that opened it.
 */
export function Dialog({ open, title, onClose, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const handleClose = () => {
      if (opener.current instanceof HTMLElement) opener.current.focus();
      onClose();
    };
    dialog.addEventListener('close', handleClose);
    return () => dialog.removeEventListener('close', handleClose);
  }, [onClose]);

  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId}>
      {open && (
        <>
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <Button aria-label="Close dialog" onClick={() => ref.current?.close()}>
              ×
            </Button>
          </header>
          {children}
        </>
      )}
    </dialog>
  );
}

/** A date as the person's locale shows it, with the exact ISO value on hover. */
export function DateText({ value }: { value: string | null | undefined }) {
  if (!value) return <span>—</span>;
  const date = new Date(value);
  return (
    <time dateTime={value} title={value}>
      {Number.isNaN(date.getTime()) ? value : date.toLocaleString()}
    </time>
  );
}
