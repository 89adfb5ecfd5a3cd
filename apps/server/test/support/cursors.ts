/** The answer to a list cursor the server could not have issued. */
export const BAD_CURSOR = {
  error: { code: 'validation_failed', message: 'cursor is not valid', details: { field: 'cursor' } },
};

/**
 * Cursors as a query value that only look like a list's (a one-ID key, in base64url JSON):
 * wrong types, not IDs, wrong shape, not base64 JSON at all. `id` is a real ID of the list.
 */
export function forgedCursors(id: string): string[] {
  const forge = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
  return [
    forge(['x']),
    forge([1]),
    forge([Number(id)]),
    forge(['-1']),
    forge(['0']),
    forge(['9223372036854775808']),
    forge([` ${id}`]),
    forge([]),
    forge([id, id]),
    forge({ id }),
    forge(id),
    forge(null),
    encodeURIComponent('not base64!'),
    Buffer.from(`[${id}`).toString('base64url'),
  ];
}
