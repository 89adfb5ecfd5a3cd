import { ApiKeysCard } from './api-keys-card';
import { WebhooksCard } from './webhooks-card';
import './developers.css';

/** `/customer/developers`: the customer's API keys and webhooks, with each webhook's delivery log. */
export function DevelopersPage() {
  return (
    <div className="developers" data-testid="developers">
      <ApiKeysCard />
      <WebhooksCard />
    </div>
  );
}
