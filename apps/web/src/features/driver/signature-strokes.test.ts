import { describe, expect, it } from 'vitest';
import { allStrokes, isBlank, NO_STROKES, padPoint, penDown, penMove, penUp } from './signature-strokes';

describe('signature strokes', () => {
  it('start blank; a tap is ink', () => {
    expect(isBlank(NO_STROKES)).toBe(true);
    const tapped = penUp(penDown(NO_STROKES, { x: 1, y: 1 }));
    expect(isBlank(tapped)).toBe(false);
    expect(allStrokes(tapped)).toEqual([[{ x: 1, y: 1 }]]);
  });

  it('grow while the pen is down and finish when it is lifted', () => {
    let strokes = penDown(NO_STROKES, { x: 0, y: 0 });
    strokes = penMove(strokes, { x: 5, y: 5 });
    expect(strokes.drawing).toHaveLength(2);
    expect(isBlank(strokes)).toBe(false);
    strokes = penUp(strokes);
    expect(strokes.drawing).toBeNull();
    // A move with the pen lifted draws nothing.
    expect(penMove(strokes, { x: 9, y: 9 })).toBe(strokes);
    strokes = penUp(penMove(penDown(strokes, { x: 10, y: 0 }), { x: 12, y: 3 }));
    expect(allStrokes(strokes)).toEqual([
      [
        { x: 0, y: 0 },
        { x: 5, y: 5 },
      ],
      [
        { x: 10, y: 0 },
        { x: 12, y: 3 },
      ],
    ]);
  });

  it('keep an unfinished stroke when a new one starts (a lost pointer up)', () => {
    const strokes = penDown(penDown(NO_STROKES, { x: 1, y: 1 }), { x: 2, y: 2 });
    expect(allStrokes(strokes)).toHaveLength(2);
  });

  it('lifting with nothing drawn changes nothing', () => {
    expect(penUp(NO_STROKES)).toBe(NO_STROKES);
  });

  it('place pointer positions on the pad, kept inside it', () => {
    const box = { left: 10, top: 20, width: 300, height: 160 };
    expect(padPoint(60, 70, box)).toEqual({ x: 50, y: 50 });
    expect(padPoint(0, 500, box)).toEqual({ x: 0, y: 160 });
  });
});
