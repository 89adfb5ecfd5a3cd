/**
 * The JobQueue port's contract, run against both adapters. One suite in one file: the port's promises are read in one
 * place, and an adapter passes all of them or is not an adapter.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/wait';
import { Type } from '@sinclair/typebox';
import { JobType, type JobContext, type JobQueue } from './job-queue.port';

/** The suite's job types: any JSON for `mail` and `sms`, and one with a schema the suite breaks. */
export const MAIL = new JobType('mail', Type.Unknown());
const SMS = new JobType('sms', Type.Unknown());
const RECEIPT = new JobType('receipt', Type.Object({ bookingId: Type.String() }));

const noCounts = { waiting: 0, delayed: 0, active: 0, failed: 0 };

/** A promise with its resolve function, for holding a handler until the test lets go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Starts one `mail` job that runs until `release()`; resolves once it has started. */
async function holdOneJob(queue: JobQueue): Promise<{ events: string[]; release: () => void }> {
  const hold = gate();
  const events: string[] = [];
  queue.process(MAIL, async () => {
    events.push('started');
    await hold.promise;
    events.push('finished');
  });
  await queue.enqueue(MAIL, null);
  await waitFor(() => events.length === 1);
  return { events, release: hold.open };
}

/**
 * The behaviour every JobQueue adapter shares. `open` returns a fresh, empty
 * queue for each test; the suite closes it afterwards. Where a test shows that
 * something did not happen, it first waits for a sign that the work which could
 * have made it happen is done (a later job of the same name ran, a twin queue
 * closed), so no test sleeps.
 */
export function describeJobQueueContract(name: string, open: () => JobQueue | Promise<JobQueue>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let queue: JobQueue;

    beforeEach(async () => {
      queue = await open();
    });

    afterEach(async () => {
      await queue.close();
    });

    it('an enqueued job runs once with its id, name, data and attempt 1', async () => {
      const seen: JobContext<unknown>[] = [];
      queue.process(MAIL, async (job) => {
        seen.push(job);
        await Promise.resolve();
      });
      await queue.enqueue(MAIL, { bookingId: '17', to: ['a', 'b'] }, { jobId: 'booking:17:mail' });
      await waitFor(() => seen.length === 1);
      expect(seen).toEqual([
        {
          id: 'booking:17:mail',
          name: 'mail',
          data: { bookingId: '17', to: ['a', 'b'] },
          attempt: 1,
          maxAttempts: 5,
        },
      ]);
      await waitFor(async () => (await queue.counts(MAIL)).active === 0);
      expect(await queue.counts(MAIL)).toEqual(noCounts);
    });

    it('jobs without jobId get distinct generated ids', async () => {
      const ids: string[] = [];
      queue.process(MAIL, (job) => {
        ids.push(job.id);
        return Promise.resolve();
      });
      await queue.enqueue(MAIL, 1);
      await queue.enqueue(MAIL, 2);
      await waitFor(() => ids.length === 2);
      expect(ids[0]).not.toBe(ids[1]);
      expect(ids.every((id) => id.length > 0)).toBe(true);
    });

    it('a job whose id was already enqueued is not added twice', async () => {
      await queue.enqueue(MAIL, { n: 1 }, { jobId: 'once' });
      await queue.enqueue(MAIL, { n: 2 }, { jobId: 'once' });
      expect(await queue.counts(MAIL)).toEqual({ ...noCounts, waiting: 1 });

      const ran: JobContext<unknown>[] = [];
      queue.process(MAIL, (job) => {
        ran.push(job);
        return Promise.resolve();
      });
      await waitFor(() => ran.length === 1);
      await waitFor(async () => (await queue.counts(MAIL)).active === 0);

      // Done jobs still hold their id.
      await queue.enqueue(MAIL, { n: 3 }, { jobId: 'once' });
      expect(await queue.counts(MAIL)).toEqual(noCounts);
      await queue.enqueue(MAIL, { n: 4 }, { jobId: 'after' });
      await waitFor(() => ran.length === 2);
      expect(ran.map((job) => [job.id, job.data])).toEqual([
        ['once', { n: 1 }],
        ['after', { n: 4 }],
      ]);
    });

    it('job ids with colons, underscores or digits only stay distinct', async () => {
      const ids = ['a:b', 'a_b', '42', '%3A', 'x:1:y'];
      for (const id of ids) {
        await queue.enqueue(MAIL, null, { jobId: id });
      }
      expect(await queue.counts(MAIL)).toEqual({ ...noCounts, waiting: ids.length });
      const ran: string[] = [];
      queue.process(MAIL, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await waitFor(() => ran.length === ids.length);
      expect([...ran].sort()).toEqual([...ids].sort());
    });

    it('a failed job is retried with backoff then marked failed', async () => {
      const attempts: number[] = [];
      queue.process(MAIL, (job) => {
        attempts.push(job.attempt);
        return Promise.reject(new Error(`try ${job.attempt} failed`));
      });
      await queue.enqueue(MAIL, null, { jobId: 'doomed', attempts: 3, backoffMs: 10 });
      await waitFor(async () => (await queue.counts(MAIL)).failed === 1);
      expect(attempts).toEqual([1, 2, 3]);
      expect(await queue.counts(MAIL)).toEqual({ ...noCounts, failed: 1 });

      // A failed job keeps its id, so it is not enqueued again.
      await queue.enqueue(MAIL, null, { jobId: 'doomed', attempts: 3, backoffMs: 10 });
      expect(await queue.counts(MAIL)).toEqual({ ...noCounts, failed: 1 });
    });

    it('retryFailed gives a job that failed for good its tries again, and leaves other jobs alone', async () => {
      const tries: [string, number, number][] = [];
      let failing = true;
      queue.process(MAIL, (job) => {
        tries.push([job.id, job.attempt, job.maxAttempts]);
        return failing ? Promise.reject(new Error('down')) : Promise.resolve();
      });
      await queue.enqueue(MAIL, { to: 'a' }, { jobId: 'gave-up', attempts: 2, backoffMs: 10 });
      await waitFor(async () => (await queue.counts(MAIL)).failed === 1);
      expect(await queue.retryFailed(MAIL, 'unknown')).toBe(false);

      failing = false;
      expect(await queue.retryFailed(MAIL, 'gave-up')).toBe(true);
      await waitFor(() => tries.length === 3);
      await waitFor(async () => (await queue.counts(MAIL)).failed === 0);
      expect(tries).toEqual([
        ['gave-up', 1, 2],
        ['gave-up', 2, 2],
        ['gave-up', 1, 2],
      ]);
      // Done now: nothing to retry, and its id still refuses a second job.
      expect(await queue.retryFailed(MAIL, 'gave-up')).toBe(false);
      await queue.enqueue(MAIL, { to: 'b' }, { jobId: 'gave-up' });
      await queue.enqueue(MAIL, { to: 'c' }, { jobId: 'after' });
      await waitFor(() => tries.some(([id]) => id === 'after'));
      expect(tries.filter(([id]) => id === 'gave-up')).toHaveLength(3);
    });

    it('a job whose data does not match its type fails its tries without reaching the handler', async () => {
      const handled: unknown[] = [];
      queue.process(RECEIPT, (job) => {
        handled.push(job.data.bookingId);
        return Promise.resolve();
      });
      // The same name enqueued by code that disagrees about its data, as another version would.
      const older = new JobType('receipt', Type.Object({ booking: Type.Number() }));
      await queue.enqueue(older, { booking: 17 }, { jobId: 'older', attempts: 2, backoffMs: 10 });
      await queue.enqueue(RECEIPT, { bookingId: '18' }, { jobId: 'current' });
      await waitFor(async () => (await queue.counts(RECEIPT)).failed === 1);
      await waitFor(() => handled.length === 1);
      expect(handled).toEqual(['18']);
    });

    it('each try knows whether it is the last: attempt reaches maxAttempts, then the job fails for good', async () => {
      const tries: [number, number][] = [];
      queue.process(MAIL, (job) => {
        tries.push([job.attempt, job.maxAttempts]);
        return Promise.reject(new Error('down'));
      });
      await queue.enqueue(MAIL, null, { jobId: 'last', attempts: 3, backoffMs: 10 });
      await waitFor(async () => (await queue.counts(MAIL)).failed === 1);
      expect(tries).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
    });

    it('a failed try with attempts left waits, delayed, for its backoff', async () => {
      const attempts: number[] = [];
      queue.process(MAIL, (job) => {
        attempts.push(job.attempt);
        return Promise.reject(new Error('not yet'));
      });
      await queue.enqueue(MAIL, null, { jobId: 'later', attempts: 2, backoffMs: 60_000 });
      await waitFor(async () => (await queue.counts(MAIL)).delayed === 1);
      expect(attempts).toEqual([1]);
      expect(await queue.counts(MAIL)).toEqual({ ...noCounts, delayed: 1 });
      // The pending retry can be cancelled like any delayed job.
      expect(await queue.remove(MAIL, 'later')).toBe(true);
      expect(await queue.counts(MAIL)).toEqual(noCounts);
    });

    it('a job that fails once succeeds on its retry', async () => {
      const attempts: number[] = [];
      queue.process(MAIL, (job) => {
        attempts.push(job.attempt);
        return job.attempt === 1 ? Promise.reject(new Error('flaky')) : Promise.resolve();
      });
      await queue.enqueue(MAIL, null, { attempts: 3, backoffMs: 10 });
      await waitFor(() => attempts.length === 2);
      await waitFor(async () => (await queue.counts(MAIL)).active === 0);
      expect(attempts).toEqual([1, 2]);
      expect(await queue.counts(MAIL)).toEqual(noCounts);
    });

    it('a delayed job does not run before its time', async () => {
      const ran: string[] = [];
      queue.process(MAIL, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await queue.enqueue(MAIL, null, { jobId: 'later', delayMs: 60_000 });
      await queue.enqueue(MAIL, null, { jobId: 'now' });
      await waitFor(() => ran.length === 1);
      expect(ran).toEqual(['now']);
      expect(await queue.counts(MAIL)).toEqual({ ...noCounts, delayed: 1 });
    });

    it('a delayed job runs once its delay has passed', async () => {
      const ran: string[] = [];
      queue.process(MAIL, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await queue.enqueue(MAIL, null, { jobId: 'soon', delayMs: 100 });
      await waitFor(() => ran.length === 1);
      expect(ran).toEqual(['soon']);
    });

    it('remove cancels a delayed job', async () => {
      const ran: string[] = [];
      queue.process(MAIL, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await queue.enqueue(MAIL, null, { jobId: 'booking:1:expire', delayMs: 60_000 });
      expect(await queue.remove(MAIL, 'booking:1:expire')).toBe(true);
      expect(await queue.remove(MAIL, 'booking:1:expire')).toBe(false);
      expect(await queue.counts(MAIL)).toEqual(noCounts);
      // Removed means forgotten: the id can be scheduled again.
      await queue.enqueue(MAIL, null, { jobId: 'booking:1:expire' });
      await waitFor(() => ran.length === 1);
      expect(ran).toEqual(['booking:1:expire']);
    });

    it('remove cancels a waiting job', async () => {
      await queue.enqueue(MAIL, null, { jobId: 'cancelled' });
      expect(await queue.remove(MAIL, 'cancelled')).toBe(true);
      expect(await queue.counts(MAIL)).toEqual(noCounts);
      const ran: string[] = [];
      queue.process(MAIL, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await queue.enqueue(MAIL, null, { jobId: 'kept' });
      await waitFor(() => ran.length === 1);
      expect(ran).toEqual(['kept']);
    });

    it('remove leaves running and finished jobs alone', async () => {
      const hold = gate();
      const started: string[] = [];
      const finished: string[] = [];
      queue.process(MAIL, async (job) => {
        started.push(job.id);
        await hold.promise;
        finished.push(job.id);
      });
      await queue.enqueue(MAIL, null, { jobId: 'busy' });
      await waitFor(() => started.length === 1);
      expect(await queue.remove(MAIL, 'busy')).toBe(false);
      hold.open();
      await waitFor(() => finished.length === 1);
      await waitFor(async () => (await queue.counts(MAIL)).active === 0);
      expect(await queue.remove(MAIL, 'busy')).toBe(false);
      // Still done, so still deduplicated.
      await queue.enqueue(MAIL, null, { jobId: 'busy' });
      expect(await queue.counts(MAIL)).toEqual(noCounts);
    });

    it('remove of an unknown job returns false', async () => {
      expect(await queue.remove(MAIL, 'unknown')).toBe(false);
    });

    it('concurrency caps how many jobs of a name run at once', async () => {
      const hold = gate();
      let running = 0;
      let maxRunning = 0;
      let finished = 0;
      queue.process(
        MAIL,
        async () => {
          running += 1;
          maxRunning = Math.max(maxRunning, running);
          await hold.promise;
          running -= 1;
          finished += 1;
        },
        { concurrency: 2 },
      );
      for (let index = 0; index < 5; index += 1) {
        await queue.enqueue(MAIL, index);
      }
      await waitFor(() => running === 2);
      expect(await queue.counts(MAIL)).toEqual({ ...noCounts, active: 2, waiting: 3 });
      hold.open();
      await waitFor(() => finished === 5);
      expect(maxRunning).toBe(2);
    });

    it('each name goes to its own handler', async () => {
      const mail: unknown[] = [];
      const sms: unknown[] = [];
      queue.process(MAIL, (job) => {
        mail.push(job.data);
        return Promise.resolve();
      });
      queue.process(SMS, (job) => {
        sms.push(job.data);
        return Promise.resolve();
      });
      await queue.enqueue(SMS, 's1');
      await queue.enqueue(MAIL, 'm1');
      await waitFor(() => mail.length === 1 && sms.length === 1);
      expect(mail).toEqual(['m1']);
      expect(sms).toEqual(['s1']);
    });

    it('close waits for a running job to finish', async () => {
      const { events, release } = await holdOneJob(queue);
      // A twin that has run the same job but has nothing running: its close is
      // all the work this close would do if it did not wait for the job.
      const twin = await open();
      twin.process(MAIL, () => Promise.resolve());
      await twin.enqueue(MAIL, null);
      await waitFor(() => twin.idle());
      const closing = queue.close().then(() => events.push('closed'));
      await twin.close();
      expect(events).toEqual(['started']);
      release();
      await closing;
      expect(events).toEqual(['started', 'finished', 'closed']);
    });

    it('counts of a name never used are all zero', async () => {
      expect(await queue.counts(new JobType('nothing', Type.Unknown()))).toEqual(noCounts);
    });

    it('idle: a queue that never had a job is idle', async () => {
      expect(await queue.idle()).toBe(true);
    });

    it('idle: a waiting job of any name keeps the queue busy until it has run', async () => {
      const ran: string[] = [];
      queue.process(MAIL, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await queue.enqueue(SMS, null, { jobId: 'unread' });
      expect(await queue.idle()).toBe(false);
      queue.process(SMS, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await waitFor(() => queue.idle());
      expect(ran).toEqual(['unread']);
    });

    it('idle: a running job keeps the queue busy until it has finished', async () => {
      const { events, release } = await holdOneJob(queue);
      expect(await queue.idle()).toBe(false);
      release();
      await waitFor(() => queue.idle());
      expect(events).toEqual(['started', 'finished']);
    });

    it('idle: a job delayed into the future or failed for good leaves the queue idle', async () => {
      queue.process(MAIL, () => Promise.reject(new Error('down')));
      await queue.enqueue(MAIL, null, { jobId: 'doomed', attempts: 1 });
      await waitFor(async () => (await queue.counts(MAIL)).failed === 1);
      await queue.enqueue(SMS, null, { jobId: 'later', delayMs: 60_000 });
      expect(await queue.idle()).toBe(true);
    });

    it('idle: a delayed job counts once its time has come, though no worker took it yet', async () => {
      await queue.enqueue(SMS, null, { jobId: 'soon', delayMs: 1_000 });
      expect(await queue.idle()).toBe(true);
      await waitFor(async () => !(await queue.idle()));
      const ran: string[] = [];
      queue.process(SMS, (job) => {
        ran.push(job.id);
        return Promise.resolve();
      });
      await waitFor(() => queue.idle());
      expect(ran).toEqual(['soon']);
    });

    it('enqueue refuses options it cannot honour', async () => {
      await expect(queue.enqueue(MAIL, null, { attempts: 0 })).rejects.toThrow(RangeError);
      await expect(queue.enqueue(MAIL, null, { delayMs: -1 })).rejects.toThrow(RangeError);
      expect(await queue.counts(MAIL)).toEqual(noCounts);
    });

    it('ping resolves', async () => {
      await expect(queue.ping()).resolves.toBeUndefined();
    });

    it('close can be called twice and later calls are refused', async () => {
      await queue.close();
      await queue.close();
      await expect(queue.enqueue(MAIL, null)).rejects.toThrow(/closed/);
    });
  });
}
