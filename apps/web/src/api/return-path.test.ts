import { describe, expect, it } from 'vitest';
import { homeFor, landingFor, rememberReturnPath, type PathStorage } from './return-path';

function memoryStorage(): PathStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
}

describe('return path after signing in again', () => {
  it('a page in the user area is where they land after signing in, once', () => {
    const storage = memoryStorage();
    rememberReturnPath('/customer/bookings/123?tab=events', storage);
    expect(landingFor({ role: 'customer' }, storage)).toBe('/customer/bookings/123?tab=events');
    expect(landingFor({ role: 'customer' }, storage)).toBe('/customer');
  });

  it('a page of another area sends the user to their own home', () => {
    const storage = memoryStorage();
    rememberReturnPath('/admin/drivers', storage);
    expect(landingFor({ role: 'driver' }, storage)).toBe('/driver');
    expect(storage.items.size).toBe(0);
  });

  it('a path that only starts like the home is not in the area', () => {
    const storage = memoryStorage();
    rememberReturnPath('/drivers-guide', storage);
    expect(landingFor({ role: 'driver' }, storage)).toBe('/driver');
  });

  it('the sign-in pages, the root and other sites are never remembered', () => {
    const storage = memoryStorage();
    for (const path of ['/login', '/signup?x=1', '/', '//evil.example/customer', 'https://evil.example/']) {
      rememberReturnPath(path, storage);
    }
    expect(storage.items.size).toBe(0);
    expect(landingFor({ role: 'admin' }, storage)).toBe('/admin');
  });

  it('without storage the user lands on their home', () => {
    rememberReturnPath('/customer/bookings/1', null);
    expect(landingFor({ role: 'customer' }, null)).toBe('/customer');
    expect(homeFor({ role: 'admin' })).toBe('/admin');
  });
});
