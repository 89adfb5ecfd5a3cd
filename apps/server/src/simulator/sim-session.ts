import type { AuthResponse, SignupBody } from '@loadline/contracts';
import type { LoadlineApi } from './loadline-api';
import { openSession, type SignInOrder } from './sim-accounts';
import type { SimStats } from './sim-stats';

/** A bearer token that can be replaced once the server no longer knows it. */
export interface SessionToken {
  readonly token: string;
  /**
   * Signs in again when `stale` is still the current token (the server refused
   * it), and resolves with the token to use: the new one, or the one another
   * caller already got.
   */
  renew(stale: string): Promise<string>;
}

/**
 * One simulated person's sign-in: the token of the moment, and the account's
 * credentials to sign in again with when the server answers 401 (sessions
 * revoked, the server's session store lost), so the run carries on.
 */
export class SimSession implements SessionToken {
  private renewing: Promise<string> | null = null;

  private constructor(
    private readonly api: LoadlineApi,
    private readonly credentials: SignupBody,
    private readonly stats: SimStats,
    private auth: AuthResponse,
  ) {}

  /** Logs in to the account, or signs it up when it does not exist yet (`order` says which is tried first). */
  static async open(
    api: LoadlineApi,
    credentials: SignupBody,
    stats: SimStats,
    order: SignInOrder,
  ): Promise<SimSession> {
    return new SimSession(api, credentials, stats, await openSession(api, credentials, stats, order));
  }

  get token(): string {
    return this.auth.token;
  }

  get user(): AuthResponse['user'] {
    return this.auth.user;
  }

  renew(stale: string): Promise<string> {
    if (stale !== this.auth.token) {
      return Promise.resolve(this.auth.token);
    }
    // Every request that saw the 401 waits for one login.
    this.renewing ??= this.api
      .login(this.credentials.email, this.credentials.password)
      .then((auth) => {
        this.auth = auth;
        this.stats.add('reauthenticated');
        return auth.token;
      })
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }
}
