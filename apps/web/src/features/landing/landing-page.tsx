import type { ReactNode } from 'react';
import { VEHICLES } from '../../domain/vehicles';
import { Link } from '../../router';

function RoleCard({
  id,
  who,
  title,
  points,
  action,
  note,
}: {
  id: string;
  who: string;
  title: string;
  points: readonly ReactNode[];
  action: ReactNode;
  note: ReactNode;
}) {
  return (
    <section className="card role-card" aria-labelledby={`role-${id}`} data-testid={`landing-role-${id}`}>
      <p className="role-card__who">{who}</p>
      <h2 id={`role-${id}`} className="role-card__title">
        {title}
      </h2>
      <ul className="role-card__points">
        {points.map((point, index) => (
          <li key={index}>{point}</li>
        ))}
      </ul>
      <div className="role-card__action">{action}</div>
      <p className="role-card__note">{note}</p>
    </section>
  );
}

const STEPS = [
  { title: 'Quote', text: 'Pickup, drop-off, goods and weight: the price comes before you book, and holds.' },
  { title: 'Match', text: 'Nearby drivers get the offer in widening waves; the first to accept takes it.' },
  { title: 'Track', text: 'Follow the driver on the map, step by step, until the goods are delivered.' },
] as const;

/** "a bike, a van, a mini truck or a truck" */
function vehicleList(): string {
  const names = VEHICLES.map((v) => `a ${v.label.toLowerCase()}`);
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

/** What Loadline is, and the way in for each of its three kinds of user. Signed-in users never see it. */
export function LandingPage() {
  const largest = VEHICLES.at(-1);
  return (
    <div className="landing" data-testid="landing">
      <div className="landing__top">
        <section className="landing__hero" aria-labelledby="landing-title">
          <p className="landing__kicker">Goods transport, booked and tracked live</p>
          <h1 id="landing-title" className="landing__title">
            Move goods across the city with a price you know before you book.
          </h1>
          <p className="landing__lead">
            Loadline connects people who ship goods with drivers nearby: an upfront price for {vehicleList()},
            one driver who accepts, and the delivery on a live map from pickup to drop-off.
          </p>
          <div className="landing__actions">
            <Link
              href="/signup?as=customer"
              className="btn btn--primary landing__cta"
              data-testid="landing-book"
            >
              Book a vehicle
            </Link>
            <Link href="/login" className="btn btn--ghost landing__cta" data-testid="landing-login">
              Log in
            </Link>
          </div>
        </section>
        <section className="card landing__fleet" aria-labelledby="landing-fleet">
          <h2 id="landing-fleet">Vehicles</h2>
          <ul className="landing__vehicles">
            {VEHICLES.map((v) => (
              <li key={v.type}>
                <span>{v.label}</span>
                <span className="landing__capacity">up to {v.capacityKg.toLocaleString()} kg</span>
              </li>
            ))}
          </ul>
          <p className="landing__fleet-note">
            Pick the smallest that carries your load: the price follows the vehicle.
          </p>
        </section>
      </div>

      <div className="landing__roles">
        <RoleCard
          id="customer"
          who="Customers"
          title="Ship goods"
          points={[
            'See the price, distance and time before you book',
            largest === undefined
              ? 'Pick the vehicle that fits your load'
              : `From documents on a bike to ${largest.capacityKg.toLocaleString()} kg on a ${largest.label.toLowerCase()}`,
            'Watch the driver come to you and deliver, live',
          ]}
          action={
            <Link href="/signup?as=customer" className="btn btn--primary btn--block">
              Book a vehicle
            </Link>
          }
          note={
            <>
              Already a customer? <Link href="/login">Log in</Link>
            </>
          }
        />
        <RoleCard
          id="driver"
          who="Drivers"
          title="Drive and earn"
          points={[
            'Go online with one tap, from your phone',
            'Offers near you show both addresses, the goods and the fare',
            'Navigate to each stop; your trips and earnings in one place',
          ]}
          action={
            <Link
              href="/signup?as=driver"
              className="btn btn--primary btn--block"
              data-testid="landing-drive"
            >
              Drive with Loadline
            </Link>
          }
          note={
            <>
              Already driving? <Link href="/login">Log in</Link>
            </>
          }
        />
        <RoleCard
          id="admin"
          who="Operations"
          title="Run the fleet"
          points={[
            'The whole fleet on a live map, with the figures that matter',
            'Bookings, drivers, vehicles and users, across every shard',
            'Analytics by day and vehicle, and data generation for tests',
          ]}
          action={
            <Link href="/login" className="btn btn--ghost btn--block" data-testid="landing-ops">
              Open the console
            </Link>
          }
          note={
            <>
              Administrator accounts are made with <code>loadline admin create</code>, or by{' '}
              <code>npm start -- --demo</code>.
            </>
          }
        />
      </div>

      <section className="card landing__how" aria-labelledby="landing-how">
        <h2 id="landing-how">How a booking goes</h2>
        <ol className="landing__steps">
          {STEPS.map((step, index) => (
            <li key={step.title} className="landing__step">
              <span className="landing__step-number" aria-hidden="true">
                {index + 1}
              </span>
              <div>
                <h3>{step.title}</h3>
                <p>{step.text}</p>
              </div>
            </li>
          ))}
        </ol>
      </section>

      <footer className="landing__footer">
        Loadline is open source. Building on it? Read the <a href="/docs">API reference</a>.
      </footer>
    </div>
  );
}
