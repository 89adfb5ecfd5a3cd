import { useEffect, useRef, type PointerEvent, type RefObject } from 'react';
import {
  allStrokes,
  isBlank,
  NO_STROKES,
  padPoint,
  penDown,
  penMove,
  penUp,
  type PadPoint,
  type Strokes,
} from './signature-strokes';

const INK = '#0f172a';
const PAPER = '#ffffff';
const LINE_WIDTH = 2.5;

/** Paints every stroke on white paper at the canvas's pixel density. */
function paint(canvas: HTMLCanvasElement, strokes: Strokes): void {
  const context = canvas.getContext('2d');
  if (context === null) {
    return;
  }
  const scale = canvas.width / Math.max(1, canvas.clientWidth);
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.fillStyle = PAPER;
  context.fillRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  context.strokeStyle = INK;
  context.fillStyle = INK;
  context.lineWidth = LINE_WIDTH;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  for (const stroke of allStrokes(strokes)) {
    drawStroke(context, stroke);
  }
}

function drawStroke(context: CanvasRenderingContext2D, stroke: readonly PadPoint[]): void {
  const [first, ...rest] = stroke;
  if (first === undefined) {
    return;
  }
  if (rest.length === 0) {
    // A tap: a dot, so an initial or a full stop shows.
    context.beginPath();
    context.arc(first.x, first.y, LINE_WIDTH / 2, 0, Math.PI * 2);
    context.fill();
    return;
  }
  context.beginPath();
  context.moveTo(first.x, first.y);
  for (const point of rest) {
    context.lineTo(point.x, point.y);
  }
  context.stroke();
}

/** The drawn signature as a PNG (white paper, dark ink), ready for `POST /v1/uploads`. */
export function signaturePng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob === null ? reject(new Error('The signature could not be saved.')) : resolve(blob)),
      'image/png',
    );
  });
}

/**
 * The recipient signs with a finger, a stylus or a mouse: pointer events, so
 * touch draws instead of scrolling the page. `onChange` says whether anything
 * is drawn after every stroke and after Clear; the canvas is the caller's, to
 * export with `signaturePng`.
 */
export function SignaturePad({
  canvasRef,
  onChange,
  disabled,
}: {
  canvasRef: RefObject<HTMLCanvasElement | null>;
  onChange: (blank: boolean) => void;
  disabled: boolean;
}) {
  const strokes = useRef<Strokes>(NO_STROKES);

  // The canvas's pixels follow its size on screen (rotation, resizing), sharp on dense screens.
  useEffect(() => {
    const canvas = canvasRef.current;
    if (canvas === null) {
      return;
    }
    const fit = () => {
      const density = window.devicePixelRatio || 1;
      canvas.width = Math.round(canvas.clientWidth * density);
      canvas.height = Math.round(canvas.clientHeight * density);
      paint(canvas, strokes.current);
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [canvasRef]);

  const at = (event: PointerEvent<HTMLCanvasElement>): PadPoint =>
    padPoint(event.clientX, event.clientY, event.currentTarget.getBoundingClientRect());

  const finish = (event: PointerEvent<HTMLCanvasElement>) => {
    if (strokes.current.drawing === null) {
      return;
    }
    strokes.current = penUp(strokes.current);
    if (event.currentTarget.hasPointerCapture(event.pointerId)) {
      event.currentTarget.releasePointerCapture(event.pointerId);
    }
    onChange(isBlank(strokes.current));
  };

  return (
    <div className="signature">
      <canvas
        ref={canvasRef}
        className="signature__pad"
        aria-label="Signature pad: the recipient signs here"
        role="img"
        data-testid="signature-pad"
        onPointerDown={(event) => {
          if (disabled || (event.pointerType === 'mouse' && event.button !== 0)) {
            return;
          }
          event.preventDefault();
          // Moves outside the pad still belong to this stroke.
          event.currentTarget.setPointerCapture(event.pointerId);
          strokes.current = penDown(strokes.current, at(event));
          paint(event.currentTarget, strokes.current);
        }}
        onPointerMove={(event) => {
          if (strokes.current.drawing === null) {
            return;
          }
          strokes.current = penMove(strokes.current, at(event));
          paint(event.currentTarget, strokes.current);
        }}
        onPointerUp={finish}
        onPointerCancel={finish}
      />
      <div className="signature__foot">
        <small className="muted">Sign above</small>
        <button
          type="button"
          className="btn btn--ghost btn--small"
          disabled={disabled}
          onClick={() => {
            strokes.current = NO_STROKES;
            const canvas = canvasRef.current;
            if (canvas !== null) {
              paint(canvas, strokes.current);
            }
            onChange(true);
          }}
          data-testid="signature-clear"
        >
          Clear
        </button>
      </div>
    </div>
  );
}
