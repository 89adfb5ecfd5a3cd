import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCluster } from './tier';
import { startThrowawayMariadb } from './throwaway-services';

// Needs the MariaDB binaries the cluster tier runs against.
describe.runIf(isCluster)('a throwaway MariaDB (cluster)', () => {
  // Named like the shared server's temporary tables in /tmp: a MariaDB server deletes every such
  // file in its tmpdir at start-up, installer's bootstrap included.
  const probe = path.join(os.tmpdir(), `#sql-temptable-loadline-probe-${process.pid}.MAI`);

  afterAll(() => {
    fs.rmSync(probe, { force: true });
  });

  it('leaves the temporary tables of other servers in the shared tmpdir alone', async () => {
    fs.writeFileSync(probe, '');
    const mariadb = await startThrowawayMariadb(['probe']);
    try {
      expect(fs.existsSync(probe)).toBe(true);
    } finally {
      await mariadb.dispose();
    }
  }, 120_000);
});
