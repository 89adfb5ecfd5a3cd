/**
 * Where a visitor was when the session ended, so signing in again returns
 * there: the web app's deep link survives a 401. Kept in sessionStorage (this
 * tab only) and used once.
 */
import type { User } from '@loadline/contracts';

const RETURN_KEY = 'loadline.returnTo';

/** The part of the Web Storage API this needs. */
export type PathStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function tabStorage(): PathStorage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** The home of the user's area: admins, drivers and customers each have one. */
export function homeFor(user: Pick<User, 'role'>): string {
  return user.role === 'admin' ? '/admin' : user.role === 'driver' ? '/driver' : '/customer';
}

/** Remembers `path` (pathname and query) to return to after signing in; the sign-in pages themselves are not kept. */
export function rememberReturnPath(path: string, storage: PathStorage | null = tabStorage()): void {
  if (storage === null || !path.startsWith('/') || path.startsWith('//')) {
    return;
  }
  const pathname = path.split(/[?#]/, 1)[0] ?? '';
  if (pathname === '/' || pathname === '/login' || pathname === '/signup') {
    return;
  }
  try {
    storage.setItem(RETURN_KEY, path);
  } catch {
    // storage may be unavailable (private mode); the user lands on their home instead
  }
}

/**
 * Where to go after signing in: the remembered page when it lies in the
 * user's area, else the area's home. The remembered page is forgotten either way.
 */
export function landingFor(user: Pick<User, 'role'>, storage: PathStorage | null = tabStorage()): string {
  const home = homeFor(user);
  let remembered: string | null = null;
  try {
    remembered = storage?.getItem(RETURN_KEY) ?? null;
    storage?.removeItem(RETURN_KEY);
  } catch {
    remembered = null;
  }
  if (remembered === null) {
    return home;
  }
  const pathname = remembered.split(/[?#]/, 1)[0] ?? '';
  return pathname === home || pathname.startsWith(`${home}/`) ? remembered : home;
}
