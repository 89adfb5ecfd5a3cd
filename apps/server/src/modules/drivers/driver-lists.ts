import { AdminDriver, Page } from '@loadline/contracts';
import { CachedList, type ListCache } from '../../platform/cache/list-cache';
import { USERS_LIST } from '../users/admin-users.service';

/** The admin drivers list's cached pages. Short-lived: busy flags follow trips, which do not drop it. */
export const DRIVERS_LIST = new CachedList('drivers', 5, Page(AdminDriver));

/**
 * Drops the admin list pages a driver appears on (drivers, users): called after a
 * driver's availability or suspension changed. Without a list cache there is nothing to drop.
 */
export async function dropDriverLists(lists: ListCache | undefined): Promise<void> {
  await lists?.invalidate(DRIVERS_LIST, USERS_LIST);
}
