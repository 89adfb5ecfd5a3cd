import type { BookingStop, StopFailure, StopProof } from '@loadline/contracts';
import { formatLatLng, formatTime } from '../../components/ui';
import { ProofImage } from './proof-image';
import { failureReasonLabel, stopStatusLabel } from './stop-facts';

/** Who took the goods, when and where, with the photo and signature the driver left. */
export function StopProofView({ proof, label }: { proof: StopProof; label: string }) {
  return (
    <div className="stop-proof" data-testid="stop-proof">
      <div>
        Received by <strong>{proof.recipientName ?? 'no name given'}</strong> · {formatTime(proof.at)}
        {proof.location !== null && (
          <>
            {' '}
            · at <span className="mono">{formatLatLng(proof.location)}</span>
          </>
        )}
      </div>
      {(proof.photoUrl !== null || proof.signatureUrl !== null) && (
        <div className="stop-proof__images">
          {proof.photoUrl !== null && (
            <ProofImage
              url={proof.photoUrl}
              caption="Photo"
              alt={`Photo of the handover at ${label}`}
              testId="proof-photo"
            />
          )}
          {proof.signatureUrl !== null && (
            <ProofImage
              url={proof.signatureUrl}
              caption="Signature"
              alt={`Signature of ${proof.recipientName ?? 'the recipient'} at ${label}`}
              signature
              testId="proof-signature"
            />
          )}
        </div>
      )}
    </div>
  );
}

/** Why the goods could not be handed over, with the driver's note and photo. */
export function StopFailureView({ failure, label }: { failure: StopFailure; label: string }) {
  return (
    <div className="stop-proof" data-testid="stop-failure">
      <div>
        <strong>{failureReasonLabel(failure.reason)}</strong>
        {failure.note !== null && failure.note !== '' && <> · “{failure.note}”</>}
      </div>
      {failure.photoUrl !== null && (
        <div className="stop-proof__images">
          <ProofImage
            url={failure.photoUrl}
            caption="Photo"
            alt={`Photo at ${label}`}
            testId="failure-photo"
          />
        </div>
      )}
    </div>
  );
}

/**
 * The trip's stops in order: each place, recipient, goods and status, the
 * next one marked, and once done its proof or why it failed.
 */
export function TripStops({
  stops,
  nextSeq,
  testId = 'trip-stops',
}: {
  stops: readonly BookingStop[];
  nextSeq: number | null;
  testId?: string;
}) {
  return (
    <ol className="stop-list" data-testid={testId}>
      {stops.map((stop) => {
        const label = stops.length === 1 ? 'the drop-off' : `stop ${stop.seq}`;
        const next = stop.seq === nextSeq;
        return (
          <li
            key={stop.seq}
            className={next ? 'stop-item is-next' : 'stop-item'}
            data-testid="trip-stop"
            data-seq={stop.seq}
            data-status={stop.status}
            aria-current={next ? 'step' : undefined}
          >
            <span className={`stop-badge stop-badge--${stop.status}`} aria-hidden="true">
              {stop.seq}
            </span>
            <div className="stop-item__main">
              <div className="stop-item__title">
                <span className="stop-item__place">
                  {stop.location.address ?? formatLatLng(stop.location)}
                </span>
                <span className={`stop-status stop-status--${stop.status}`}>
                  {next && stop.status === 'pending' ? 'Next' : stopStatusLabel(stop.status)}
                </span>
              </div>
              {(stop.recipient !== null || stop.goods !== null) && (
                <div className="stop-item__meta">
                  {stop.recipient !== null && (
                    <>
                      For {stop.recipient.name}
                      {stop.recipient.phone !== undefined && ` · ${stop.recipient.phone}`}
                    </>
                  )}
                  {stop.recipient !== null && stop.goods !== null && ' · '}
                  {stop.goods !== null &&
                    `${stop.goods.description} · ${stop.goods.weightKg.toLocaleString()} kg`}
                </div>
              )}
              {stop.status === 'arrived' && stop.arrivedAt !== null && (
                <div className="stop-item__meta">Driver there since {formatTime(stop.arrivedAt)}</div>
              )}
              {stop.status === 'delivered' && stop.proof !== null && (
                <StopProofView proof={stop.proof} label={label} />
              )}
              {stop.status === 'failed' && stop.failure !== undefined && (
                <>
                  {stop.completedAt !== null && (
                    <div className="stop-item__meta">Attempted {formatTime(stop.completedAt)}</div>
                  )}
                  <StopFailureView failure={stop.failure} label={label} />
                </>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
