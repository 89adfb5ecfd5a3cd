import type { Kysely } from 'kysely';
import type { MigrationDialect } from './migration-helpers';
import * as foundation from './0001-foundation';
import * as bookingCore from './0002-booking-core';
import * as driverJobsSeq from './0003-driver-jobs-seq';
import * as notifications from './0004-notifications';
import * as breadcrumbs from './0005-breadcrumbs';
import * as scaleData from './0006-scale-data';
import * as sessions from './0007-sessions';
import * as rollupParts from './0009-rollup-parts';
import * as durableSchedules from './0010-durable-schedules';
import * as bookingRefs from './0011-booking-refs';
import * as driverTripRefs from './0012-driver-trip-refs';
import * as shardMoves from './0013-shard-moves';
import * as integrations from './0014-integrations';
import * as shareLinks from './0015-share-links';
import * as uploads from './0016-uploads';
import * as bookingStops from './0017-booking-stops';
import * as handoverPins from './0018-handover-pins';
import * as stopFailureRollups from './0019-stop-failure-rollups';
import * as webhookVersions from './0020-webhook-versions';
import * as userListIndex from './0021-user-list-index';
import * as usersStatusByRole from './0022-users-status-by-role';
import * as unfilledRollups from './0023-unfilled-rollups';
import * as driverWeekly from './0024-driver-weekly';

export interface ShardMigration {
  name: string;
  up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void>;
}

/** Every migration, in order. Each runs on every shard and is safe to re-run. */
export const migrations: readonly ShardMigration[] = [
  { name: '0001-foundation', up: foundation.up },
  { name: '0002-booking-core', up: bookingCore.up },
  { name: '0003-driver-jobs-seq', up: driverJobsSeq.up },
  { name: '0004-notifications', up: notifications.up },
  { name: '0005-breadcrumbs', up: breadcrumbs.up },
  { name: '0006-scale-data', up: scaleData.up },
  { name: '0007-sessions', up: sessions.up },
  { name: '0009-rollup-parts', up: rollupParts.up },
  { name: '0010-durable-schedules', up: durableSchedules.up },
  { name: '0011-booking-refs', up: bookingRefs.up },
  { name: '0012-driver-trip-refs', up: driverTripRefs.up },
  { name: '0013-shard-moves', up: shardMoves.up },
  { name: '0014-integrations', up: integrations.up },
  { name: '0015-share-links', up: shareLinks.up },
  { name: '0016-uploads', up: uploads.up },
  { name: '0017-booking-stops', up: bookingStops.up },
  { name: '0018-handover-pins', up: handoverPins.up },
  { name: '0019-stop-failure-rollups', up: stopFailureRollups.up },
  { name: '0020-webhook-versions', up: webhookVersions.up },
  { name: '0021-user-list-index', up: userListIndex.up },
  { name: '0022-users-status-by-role', up: usersStatusByRole.up },
  { name: '0023-unfilled-rollups', up: unfilledRollups.up },
  { name: '0024-driver-weekly', up: driverWeekly.up },
];
