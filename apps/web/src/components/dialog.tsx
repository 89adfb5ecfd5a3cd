import { useEffect, useId, useRef, type ReactNode } from 'react';
import { ErrorBanner } from './ui';

/**
 * A modal dialog on the native `<dialog>` element: the browser traps focus in
 * it, Escape closes it, and it is announced with its title. Open while `open`
 * is true; `onClose` is asked for every way out (Escape, a close button).
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  testId,
}: {
  open: boolean;
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement | null>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) {
      return;
    }
    if (open && !dialog.open) {
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        // Escape: the owner decides (it may be busy), and closes by changing `open`.
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <h2 id={titleId} className="dialog__title">
            {title}
          </h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/** Asks before something that cannot be taken back: a title, what happens, and a confirm button. */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  busyLabel,
  busy,
  error,
  tone = 'danger',
  onConfirm,
  onClose,
  testId,
}: {
  open: boolean;
  title: ReactNode;
  message: ReactNode;
  confirmLabel: string;
  busyLabel?: string;
  busy: boolean;
  error: string | null;
  tone?: 'danger' | 'primary';
  onConfirm: () => void;
  onClose: () => void;
  testId?: string;
}) {
  return (
    <Dialog open={open} title={title} onClose={() => !busy && onClose()} testId={testId}>
      <div className="dialog__body">{message}</div>
      {error !== null && <ErrorBanner message={error} />}
      <div className="dialog__actions">
        <button type="button" className="btn btn--ghost" onClick={onClose} disabled={busy} autoFocus>
          Keep as is
        </button>
        <button
          type="button"
          className={`btn ${tone === 'danger' ? 'btn--danger' : 'btn--primary'}`}
          onClick={onConfirm}
          disabled={busy}
          data-testid="confirm"
        >
          {busy ? (busyLabel ?? `${confirmLabel}…`) : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
