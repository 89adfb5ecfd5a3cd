import { useState } from 'react';
import { API_KEY_SCOPES, type ApiKey, type ApiKeyScope, type CreatedApiKey } from '@loadline/contracts';
import { api, errorMessage } from '../../api/client';
import { useItems } from '../../api/use-items';
import { ConfirmDialog } from '../../components/dialog';
import { Card, Empty, ErrorBanner, formatTime, Spinner } from '../../components/ui';
import { CheckboxChoices } from './checkbox-choices';
import { CopyOnce } from './copy-once';

const SCOPE_LABELS: Record<ApiKeyScope, string> = {
  'bookings:read': 'Read bookings and quotes',
  'bookings:write': 'Create and cancel bookings and quotes',
  'webhooks:manage': 'Manage webhooks',
};

const listKeys = () => api('apiKeys.list');

/** The customer's API keys: create one (shown once, with a copy button), list them by prefix, revoke one. */
export function ApiKeysCard() {
  const { items: keys, error: loadError, reload: load } = useItems(listKeys);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['bookings:read']);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);

  const create = async () => {
    if (scopes.length === 0) {
      setError('Pick at least one permission.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const key = await api('apiKeys.create', { body: { name: name.trim(), scopes } });
      setCreated(key);
      setName('');
      await load();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (revoking === null) {
      return;
    }
    setBusy(true);
    setRevokeError(null);
    try {
      await api('apiKeys.revoke', { params: { id: revoking.id } });
      setRevoking(null);
      await load();
    } catch (caught) {
      setRevokeError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="API keys">
      <p className="muted">
        Your own systems call Loadline with a key as <code className="mono">Authorization: Bearer llk_…</code>
        , acting as you within the permissions you give it.
      </p>
      {created !== null && (
        <CopyOnce
          label={`Key “${created.name}”`}
          note="is shown this once: store it now."
          value={created.key}
          onDismiss={() => setCreated(null)}
          testId="new-api-key"
        />
      )}
      <form
        className="developer-form"
        onSubmit={(event) => {
          event.preventDefault();
          void create();
        }}
        data-testid="api-key-form"
      >
        <label className="field">
          <span>Name</span>
          <input
            name="api-key-name"
            required
            maxLength={80}
            placeholder="Order system"
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <CheckboxChoices
          legend="Permissions"
          options={API_KEY_SCOPES}
          labels={SCOPE_LABELS}
          selected={scopes}
          onChange={setScopes}
        />
        {error !== null && <ErrorBanner message={error} />}
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {loadError !== null && <ErrorBanner message={loadError} onRetry={() => void load()} />}
      {keys === null && loadError === null && <Spinner label="Loading keys…" />}
      {keys?.length === 0 && <Empty>No API keys yet.</Empty>}
      <ul className="list" data-testid="api-keys">
        {keys?.map((key) => (
          <li key={key.id} className="list__item" data-testid="api-key">
            <span className="list__main">
              <strong>{key.name}</strong>
              <small>
                <span className="mono">{key.prefix}…</span> · {key.scopes.join(', ')} · created{' '}
                {formatTime(key.createdAt)}
              </small>
            </span>
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={() => {
                setRevokeError(null);
                setRevoking(key);
              }}
            >
              Revoke
            </button>
          </li>
        ))}
      </ul>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        message={`Systems using “${revoking?.name ?? ''}” are refused from their next request.`}
        confirmLabel="Revoke key"
        busyLabel="Revoking…"
        busy={busy}
        error={revokeError}
        onConfirm={() => void revoke()}
        onClose={() => setRevoking(null)}
        testId="revoke-key-dialog"
      />
    </Card>
  );
}
