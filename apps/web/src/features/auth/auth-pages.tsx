import { useState, type SyntheticEvent } from 'react';
import type { VehicleType } from '@loadline/contracts';
import { errorMessage } from '../../api/client';
import { homeFor, landingFor, useSession } from '../../api/session';
import { radioGroupKeys, radioTabIndex } from '../../components/radio-group';
import { ErrorBanner } from '../../components/ui';
import { VEHICLES } from '../../domain/vehicles';
import { Link, navigate } from '../../router';

export function LoginPage() {
  const { login } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await login({ email: email.trim(), password });
      // Back to the page the user was on when the session ended, when it is in their area.
      navigate(landingFor(user), true);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <form className="card auth__card" onSubmit={(event) => void submit(event)} data-testid="login-form">
        <h1>Log in</h1>
        <p className="muted">Book a vehicle, drive, or run the fleet.</p>
        {error !== null && <ErrorBanner message={error} />}
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="muted center">
          New to Loadline? <Link href="/signup">Create an account</Link>
        </p>
      </form>
    </div>
  );
}

const ACCOUNT_TYPES = ['customer', 'driver'] as const;
type AccountType = (typeof ACCOUNT_TYPES)[number];

/** The account type a link asked for (`/signup?as=driver`, from the landing page); customer otherwise. */
function requestedAccountType(search: string): AccountType {
  return new URLSearchParams(search).get('as') === 'driver' ? 'driver' : 'customer';
}

export function SignupPage() {
  const { signup } = useSession();
  const [role, setRole] = useState<AccountType>(() => requestedAccountType(window.location.search));
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [vehicleType, setVehicleType] = useState<VehicleType>('van');
  const [plate, setPlate] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (password.length < 8) {
      setError('Use at least 8 characters for the password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await signup({
        email: email.trim(),
        password,
        name: name.trim(),
        role,
        ...(phone.trim() === '' ? {} : { phone: phone.trim() }),
        ...(role === 'driver' ? { vehicle: { type: vehicleType, plate: plate.trim().toUpperCase() } } : {}),
      });
      navigate(homeFor(user), true);
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <form className="card auth__card" onSubmit={(event) => void submit(event)} data-testid="signup-form">
        <h1>Create your account</h1>
        <div
          className="segmented"
          role="radiogroup"
          aria-label="Account type"
          onKeyDown={radioGroupKeys(ACCOUNT_TYPES, role, setRole)}
        >
          {ACCOUNT_TYPES.map((option) => (
            <button
              key={option}
              type="button"
              role="radio"
              aria-checked={role === option}
              tabIndex={radioTabIndex(ACCOUNT_TYPES, role, option)}
              className={role === option ? 'segmented__item is-active' : 'segmented__item'}
              onClick={() => setRole(option)}
              data-testid={`signup-role-${option}`}
            >
              {option === 'customer' ? 'I ship goods' : 'I drive'}
            </button>
          ))}
        </div>
        {error !== null && <ErrorBanner message={error} />}
        <label className="field">
          <span>Full name</span>
          <input
            name="name"
            autoComplete="name"
            required
            maxLength={120}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>
            Phone <em className="muted">(optional)</em>
          </span>
          <input
            type="tel"
            name="phone"
            autoComplete="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {role === 'driver' && (
          <div className="field-row">
            <label className="field">
              <span>Vehicle</span>
              <select
                name="vehicleType"
                value={vehicleType}
                onChange={(e) => setVehicleType(e.target.value as VehicleType)}
              >
                {VEHICLES.map((v) => (
                  <option key={v.type} value={v.type}>
                    {v.label} · {v.capacityKg.toLocaleString()} kg
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Plate</span>
              <input
                name="plate"
                required
                minLength={2}
                maxLength={20}
                pattern="[A-Za-z0-9 \-]+"
                value={plate}
                onChange={(e) => setPlate(e.target.value)}
              />
            </label>
          </div>
        )}
        <button type="submit" className="btn btn--primary btn--block" disabled={busy}>
          {busy ? 'Creating account…' : 'Create account'}
        </button>
        <p className="muted center">
          Already registered? <Link href="/login">Log in</Link>
        </p>
      </form>
    </div>
  );
}
