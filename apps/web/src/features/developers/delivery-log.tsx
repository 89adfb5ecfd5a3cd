import { useCallback, useState } from 'react';
import type { WebhookDelivery } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { usePagedList, type PageRequest } from '../../api/use-paged-list';
import { PagedCard } from '../../components/paged-card';
import { ErrorBanner, formatTime } from '../../components/ui';

const STATUS_LABELS: Record<WebhookDelivery['status'], string> = {
  pending: 'Pending',
  succeeded: 'Delivered',
  failed: 'Failed',
};

/** One webhook's deliveries, newest first: status, attempts, the last answer, and replay. */
export function DeliveryLog({ webhookId, disabled }: { webhookId: string; disabled: boolean }) {
  const fetchPage = useCallback(
    (page: PageRequest) => api('webhooks.deliveries', { params: { id: webhookId }, query: page }),
    [webhookId],
  );
  const list = usePagedList(fetchPage);
  const [replaying, setReplaying] = useState<string | null>(null);
  const [replayed, setReplayed] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const replay = async (delivery: WebhookDelivery) => {
    setReplaying(delivery.id);
    setError(null);
    try {
      await api('webhooks.replay', { params: { id: webhookId, deliveryId: delivery.id } });
      setReplayed(delivery.id);
      list.reload();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setReplaying(null);
    }
  };

  return (
    <div className="delivery-log" data-testid="delivery-log">
      <PagedCard
        title="Deliveries"
        list={list}
        empty="Nothing sent yet: events arrive as your bookings move."
        notice={
          <>
            {error !== null && <ErrorBanner message={error} />}
            {replayed !== null && (
              <p className="banner banner--info" role="status">
                Sent again: the new attempt shows here once it is made.
              </p>
            )}
          </>
        }
      >
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Attempts
              </th>
              <th scope="col">Last answer</th>
              <th scope="col">Next attempt</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((delivery) => (
              <tr key={delivery.id} data-testid="delivery" data-status={delivery.status}>
                <td data-label="Event">
                  <span className="mono">{delivery.type}</span>
                  <small className="delivery-log__when">{formatTime(delivery.createdAt)}</small>
                </td>
                <td data-label="Status">
                  <span className={`delivery-status delivery-status--${delivery.status}`}>
                    {STATUS_LABELS[delivery.status]}
                  </span>
                </td>
                <td className="num" data-label="Attempts" data-testid="delivery-attempts">
                  {delivery.attempts}
                </td>
                <td className="delivery-log__answer" data-label="Last answer">
                  {delivery.lastStatusCode !== null && (
                    <span className="mono">{delivery.lastStatusCode}</span>
                  )}
                  {delivery.lastError !== null && <small>{delivery.lastError}</small>}
                  {delivery.lastStatusCode === null && delivery.lastError === null && '—'}
                </td>
                <td data-label="Next attempt">
                  {delivery.nextAttemptAt === null ? '—' : formatTime(delivery.nextAttemptAt)}
                </td>
                <td className="delivery-log__actions">
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    onClick={() => void replay(delivery)}
                    disabled={disabled || replaying !== null}
                    data-testid="replay"
                  >
                    {replaying === delivery.id ? 'Sending…' : 'Replay'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </PagedCard>
    </div>
  );
}
