import { Type, type TSchema } from '@sinclair/typebox';

/**
 * `{ items }`: a short list the API answers whole, without a cursor (a
 * driver's open offers, a booking's events). Paged lists use `Page`.
 */
export function Items<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item) });
}
