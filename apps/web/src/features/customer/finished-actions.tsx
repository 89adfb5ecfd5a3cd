import type { Booking } from '@loadline/contracts';
import { Link, navigate } from '../../router';
import { againPath } from './book-again';

/** What a finished booking offers: its receipt once delivered, and "Book again" (the form, filled in). */
export function FinishedActions({
  booking,
  small = false,
  testIds,
}: {
  booking: Pick<Booking, 'id' | 'status'>;
  small?: boolean;
  testIds: { receipt: string; again: string };
}) {
  const className = small ? 'btn btn--ghost btn--small' : 'btn btn--ghost';
  return (
    <>
      {booking.status === 'delivered' && (
        <Link
          href={`/customer/bookings/${booking.id}/receipt`}
          className={className}
          data-testid={testIds.receipt}
        >
          Receipt
        </Link>
      )}
      <button
        type="button"
        className={className}
        onClick={() => navigate(againPath(booking.id))}
        data-testid={testIds.again}
      >
        Book again
      </button>
    </>
  );
}
