/** A point on the signature pad, in the pad's CSS pixels. */
export interface PadPoint {
  x: number;
  y: number;
}

/**
 * What was drawn on the signature pad: finished strokes, and the one the pen
 * is drawing (null while it is lifted). Kept apart from the canvas so the pad
 * can be redrawn at any size and tested without one.
 */
export interface Strokes {
  done: readonly (readonly PadPoint[])[];
  drawing: readonly PadPoint[] | null;
}

export const NO_STROKES: Strokes = { done: [], drawing: null };

/** The pen touches the pad: a new stroke starts (one left unfinished is kept). */
export function penDown(strokes: Strokes, point: PadPoint): Strokes {
  const done = strokes.drawing === null ? strokes.done : [...strokes.done, strokes.drawing];
  return { done, drawing: [point] };
}

/** The pen moves: the stroke grows; a move with the pen lifted draws nothing. */
export function penMove(strokes: Strokes, point: PadPoint): Strokes {
  return strokes.drawing === null ? strokes : { ...strokes, drawing: [...strokes.drawing, point] };
}

/** The pen is lifted (or the touch cancelled): the stroke is finished. */
export function penUp(strokes: Strokes): Strokes {
  return strokes.drawing === null ? strokes : { done: [...strokes.done, strokes.drawing], drawing: null };
}

/** Every stroke, the one being drawn last. */
export function allStrokes(strokes: Strokes): (readonly PadPoint[])[] {
  return strokes.drawing === null ? [...strokes.done] : [...strokes.done, strokes.drawing];
}

/** Nothing drawn yet (a tap leaves a dot, which counts as ink). */
export function isBlank(strokes: Strokes): boolean {
  return allStrokes(strokes).length === 0;
}

/** Where a pointer event falls on the pad, from its client position and the pad's box. */
export function padPoint(
  clientX: number,
  clientY: number,
  box: { left: number; top: number; width: number; height: number },
): PadPoint {
  const clamp = (value: number, max: number) => Math.min(Math.max(value, 0), max);
  return { x: clamp(clientX - box.left, box.width), y: clamp(clientY - box.top, box.height) };
}
