import { describe, expect, it } from 'vitest';
import { LOGICAL_SHARDS } from '../../platform/db/ids';
import { hashShareToken, mintShareToken, parseShareToken } from './share-tokens';

describe('share tokens', () => {
  it('carry their logical shard and 128 random bits, and parse back to the same shard and hash', () => {
    for (const shard of [0, 35, 36, LOGICAL_SHARDS - 1]) {
      const minted = mintShareToken(shard);
      expect(minted.token).toMatch(/^[0-9a-z]{1,4}\.[A-Za-z0-9_-]{22}$/);
      expect(minted.token.split('.')[0]).toBe(shard.toString(36));
      expect(parseShareToken(minted.token)).toEqual(minted);
    }
  });

  it('are stored as the SHA-256 of the whole token, so another prefix is another hash', () => {
    const minted = mintShareToken(7);
    const moved = `8.${minted.token.split('.')[1] ?? ''}`;
    expect(minted.hash).toBe(hashShareToken(minted.token));
    expect(minted.hash).toHaveLength(43);
    expect(parseShareToken(moved)?.hash).not.toBe(minted.hash);
  });

  it('refuse anything not shaped like one, or naming a shard that does not exist', () => {
    const tail = 'A'.repeat(22);
    expect(parseShareToken(`${LOGICAL_SHARDS.toString(36)}.${tail}`)).toBeNull();
    expect(parseShareToken(`1.${tail}A`)).toBeNull();
    expect(parseShareToken(`1.${'A'.repeat(21)}`)).toBeNull();
    expect(parseShareToken(`1:${tail}`)).toBeNull();
    expect(parseShareToken(`A.${tail}`)).toBeNull();
    expect(parseShareToken('')).toBeNull();
  });
});
