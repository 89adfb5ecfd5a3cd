import { useState } from 'react';
import {
  WEBHOOK_EVENT_TYPES,
  type CreatedWebhook,
  type Webhook,
  type WebhookEventType,
} from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useItems } from '../../api/use-items';
import { ConfirmDialog } from '../../components/dialog';
import { Card, Empty, ErrorBanner, formatTime, Spinner } from '../../components/ui';
import { CheckboxChoices } from './checkbox-choices';
import { CopyOnce } from './copy-once';
import { DeliveryLog } from './delivery-log';

const EVENT_LABELS: Record<WebhookEventType, string> = {
  'booking.status_changed': 'Every status change',
  'booking.driver_assigned': 'A driver is assigned',
  'booking.stop_completed': 'A stop is completed',
  'booking.stop_failed': 'A stop failed',
  'booking.cancelled': 'A booking is cancelled',
  'booking.expired': 'A booking expired (no driver)',
};

const listWebhooks = () => api('webhooks.list');

/** The customer's webhooks: subscribe a URL (its secret shown once), read each one's deliveries, delete one. */
export function WebhooksCard() {
  const { items: webhooks, error: loadError, reload: load } = useItems(listWebhooks);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>(['booking.status_changed']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const [opened, setOpened] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);

  const create = async () => {
    if (events.length === 0) {
      setError('Pick at least one event.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const webhook = await api('webhooks.create', { body: { url: url.trim(), events } });
      setCreated(webhook);
      setUrl('');
      setOpened(webhook.id);
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (deleting === null) {
      return;
    }
    setBusy(true);
    setDeleteError(null);
    try {
      await api('webhooks.remove', { params: { id: deleting.id } });
      setDeleting(null);
      await load();
    } catch (caught) {
      setDeleteError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Webhooks">
      <p className="muted">
        Loadline POSTs signed JSON to your URL when your bookings move, retrying for a day until it answers
        2xx. Check each request&apos;s <code className="mono">Loadline-Signature</code> header,{' '}
        <code className="mono">t=&lt;time&gt;,v1=&lt;hex&gt;</code>: <code className="mono">v1</code> is the
        HMAC-SHA256 of <code className="mono">&lt;time&gt;.&lt;raw body&gt;</code> with the webhook&apos;s
        secret.
      </p>
      {created !== null && (
        <CopyOnce
          label="Signing secret"
          note={`for ${created.url} is shown this once: store it now.`}
          value={created.secret}
          onDismiss={() => setCreated(null)}
          testId="new-webhook-secret"
        />
      )}
      <form
        className="developer-form"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
        data-testid="webhook-form"
      >
        <label className="field">
          <span>URL</span>
          <input
            name="webhook-url"
            type="url"
            required
            maxLength={2000}
            placeholder="https://example.com/loadline"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
          />
        </label>
        <CheckboxChoices
          legend="Events"
          options={WEBHOOK_EVENT_TYPES}
          labels={EVENT_LABELS}
          selected={events}
          onChange={setEvents}
        />
        {error !== null && <ErrorBanner message={error} />}
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add webhook'}
        </button>
      </form>
      {loadError !== null && <ErrorBanner message={loadError} onRetry={() => void load()} />}
      {webhooks === null && loadError === null && <Spinner label="Loading webhooks…" />}
      {webhooks?.length === 0 && <Empty>No webhooks yet.</Empty>}
      <ul className="list" data-testid="webhooks">
        {webhooks?.map((webhook) => (
          <li key={webhook.id} className="webhook" data-testid="webhook" data-status={webhook.status}>
            <div className="list__item">
              <span className="list__main">
                <strong className="webhook__url">{webhook.url}</strong>
                <small>
                  {webhook.status === 'disabled' ? 'Disabled after failing for 3 days · ' : ''}
                  {webhook.events.join(', ')} · added {formatTime(webhook.createdAt)}
                </small>
              </span>
              <span className="webhook__actions">
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  aria-expanded={opened === webhook.id}
                  onClick={() => setOpened(opened === webhook.id ? null : webhook.id)}
                >
                  Deliveries
                </button>
                <button
                  type="button"
                  className="btn btn--ghost btn--small"
                  onClick={() => {
                    setDeleteError(null);
                    setDeleting(webhook);
                  }}
                >
                  Delete
                </button>
              </span>
            </div>
            {opened === webhook.id && (
              <DeliveryLog webhookId={webhook.id} disabled={webhook.status === 'disabled'} />
            )}
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this webhook?"
        message={`Nothing more is sent to ${deleting?.url ?? ''}, and its delivery log goes with it.`}
        confirmLabel="Delete webhook"
        busyLabel="Deleting…"
        busy={busy}
        error={deleteError}
        onConfirm={() => void remove()}
        onClose={() => setDeleting(null)}
        testId="delete-webhook-dialog"
      />
    </Card>
  );
}
