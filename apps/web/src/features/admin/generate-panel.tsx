import { useCallback, useEffect, useEffectEvent, useRef, useState, type SyntheticEvent } from 'react';
import type { GenerationEntity, GenerationJob } from '@loadline/contracts';
import { api, ApiError, errorMessage } from '../../api/client';
import { useSocket } from '../../api/socket';
import { radioGroupKeys, radioTabIndex } from '../../components/radio-group';
import { Card, Empty, ErrorBanner, formatTime } from '../../components/ui';
import { count, duration, elapsed } from './format';

const ENTITIES: readonly { value: GenerationEntity; label: string; hint: string }[] = [
  { value: 'users', label: 'Customers', hint: 'Customer accounts with names, emails and phones.' },
  {
    value: 'drivers',
    label: 'Drivers',
    hint: 'Driver accounts, each with a vehicle, placed around the city.',
  },
  {
    value: 'bookings',
    label: 'Bookings',
    hint: 'Bookings between existing customers and drivers, spread over recent days.',
  },
];
const ENTITY_VALUES = ENTITIES.map((option) => option.value);
const PRESETS = [1_000, 10_000, 100_000, 1_000_000] as const;
const MAX_COUNT = 50_000_000;
/** Counts from here on ask for confirmation: they take minutes and fill the database. */
const CONFIRM_FROM = 1_000_000;
/** Without a socket update for this long, the job is polled (the socket sends one a second while it runs). */
const POLL_MS = 2000;
const STORAGE_KEY = 'loadline.generationJobs';

interface TrackedJob {
  job: GenerationJob;
  /** Started from this browser tab (others are other admins' jobs seen on the socket). */
  mine: boolean;
  /** When the last figures arrived, from the socket or a poll. */
  seenAt: number;
}

const TERMINAL: readonly GenerationJob['state'][] = ['completed', 'failed'];

function isActive(job: GenerationJob): boolean {
  return !TERMINAL.includes(job.state);
}

function storedJobIds(): string[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function storeJobIds(ids: string[]): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(ids.slice(0, 20)));
  } catch {
    // storage may be unavailable; the jobs are then tracked until the page is left
  }
}

function newKey(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function entityLabel(entity: GenerationEntity): string {
  return ENTITIES.find((e) => e.value === entity)?.label ?? entity;
}

function JobProgress({ tracked }: { tracked: TrackedJob }) {
  const { job } = tracked;
  const percent = job.total <= 0 ? 0 : Math.min(100, (job.done / job.total) * 100);
  const elapsedSeconds =
    job.finishedAt === undefined
      ? null
      : (new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime()) / 1000;
  return (
    <li
      className={`job job--${job.state}`}
      data-testid="generation-job"
      data-job-id={job.id}
      data-state={job.state}
      data-done={job.done}
      data-total={job.total}
    >
      <div className="spread">
        <strong>
          {count(job.total)} {entityLabel(job.entity).toLowerCase()}
          {!tracked.mine && <span className="muted job__owner"> · another admin</span>}
        </strong>
        <span className={`state state--job-${job.state}`}>{job.state}</span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`Generating ${entityLabel(job.entity).toLowerCase()}`}
        aria-valuemin={0}
        aria-valuemax={job.total}
        aria-valuenow={job.done}
        data-testid="generation-progress"
      >
        <span style={{ width: `${percent}%` }} />
      </div>
      <div className="job__figures">
        <span>
          <strong className="num">{count(job.done)}</strong> / {count(job.total)} (
          {percent.toFixed(percent < 10 ? 1 : 0)}
          %)
        </span>
        {isActive(job) ? (
          <>
            <span>{job.rate > 0 ? `${count(job.rate)} rows/s` : 'starting…'}</span>
            <span>ETA {job.etaSeconds === null ? '—' : duration(job.etaSeconds)}</span>
          </>
        ) : job.state === 'completed' ? (
          <span>
            Done{elapsedSeconds === null ? '' : ` in ${elapsed(elapsedSeconds)}`} · {count(job.rate)} rows/s
          </span>
        ) : null}
        <span className="muted">Started {formatTime(job.startedAt)}</span>
      </div>
      {job.state === 'failed' && (
        <div className="banner banner--error job__error">{job.error ?? 'The job failed.'}</div>
      )}
    </li>
  );
}

/**
 * Bulk test data: choose what and how many, start a job on the server, follow
 * its progress from the `generationProgress` socket event (polling the job
 * every 2 s whenever the socket is quiet).
 */
export function GeneratePanel() {
  const { socket } = useSocket();
  const [entity, setEntity] = useState<GenerationEntity>('users');
  const [countText, setCountText] = useState('10000');
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [jobs, setJobs] = useState<ReadonlyMap<string, TrackedJob>>(new Map());
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const myJobs = useRef(new Set<string>(storedJobIds()));

  const upsert = useCallback((job: GenerationJob) => {
    setJobs((current) => {
      const previous = current.get(job.id);
      // A late poll must not move a job back (e.g. running after completed).
      if (previous !== undefined && !isActive(previous.job) && isActive(job)) {
        return current;
      }
      const next = new Map(current);
      next.set(job.id, { job, mine: myJobs.current.has(job.id), seenAt: Date.now() });
      return next;
    });
  }, []);

  const poll = useCallback(
    async (id: string) => {
      try {
        upsert(await api('admin.job', { params: { id } }));
      } catch (caught) {
        if (caught instanceof ApiError && caught.status === 404) {
          // Gone (expired from the server's job records): stop tracking it.
          myJobs.current.delete(id);
          storeJobIds([...myJobs.current]);
          setJobs((current) => {
            const next = new Map(current);
            next.delete(id);
            return next;
          });
        }
      }
    },
    [upsert],
  );

  // Jobs started from this tab before a reload.
  useEffect(() => {
    for (const id of myJobs.current) {
      void poll(id);
    }
  }, [poll]);

  useEffect(() => {
    if (socket === null) {
      return;
    }
    socket.on('generationProgress', upsert);
    return () => {
      socket.off('generationProgress', upsert);
    };
  }, [socket, upsert]);

  // Fallback: poll every running job the socket has been quiet about.
  const pollQuiet = useEffectEvent(() => {
    const now = Date.now();
    for (const tracked of jobs.values()) {
      if (isActive(tracked.job) && now - tracked.seenAt >= POLL_MS - 100) {
        void poll(tracked.job.id);
      }
    }
  });
  useEffect(() => {
    const timer = window.setInterval(pollQuiet, POLL_MS);
    return () => window.clearInterval(timer);
  }, []);

  const total = Number(countText);
  const countProblem =
    countText.trim() === '' || !Number.isInteger(total) || total < 1
      ? 'Enter a whole number of rows, at least 1.'
      : total > MAX_COUNT
        ? `At most ${count(MAX_COUNT)} rows per job.`
        : null;

  const start = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (countProblem !== null) {
      setError(countProblem);
      return;
    }
    if (
      total >= CONFIRM_FROM &&
      !window.confirm(
        `Generate ${count(total)} ${entityLabel(entity).toLowerCase()}? They are written to the live database and take a while.`,
      )
    ) {
      return;
    }
    setStarting(true);
    setError(null);
    try {
      const accepted = await api('admin.generate', {
        body: { entity, count: total },
        headers: { 'idempotency-key': idempotencyKey },
      });
      setIdempotencyKey(newKey());
      myJobs.current.add(accepted.jobId);
      storeJobIds([accepted.jobId, ...[...myJobs.current].filter((id) => id !== accepted.jobId)]);
      // Shown at once as queued; the socket or the first poll brings the real figures.
      setJobs((current) => {
        if (current.has(accepted.jobId)) {
          return current;
        }
        const next = new Map(current);
        next.set(accepted.jobId, {
          job: {
            id: accepted.jobId,
            entity,
            state: 'queued',
            done: 0,
            total,
            rate: 0,
            etaSeconds: null,
            startedAt: new Date().toISOString(),
          },
          mine: true,
          seenAt: 0,
        });
        return next;
      });
      void poll(accepted.jobId);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setStarting(false);
    }
  };

  const clearFinished = () => {
    for (const id of myJobs.current) {
      const tracked = jobs.get(id);
      if (tracked === undefined || !isActive(tracked.job)) {
        myJobs.current.delete(id);
      }
    }
    storeJobIds([...myJobs.current]);
    setJobs((current) => new Map([...current].filter(([, tracked]) => isActive(tracked.job))));
  };

  const listed = [...jobs.values()].sort((a, b) => b.job.startedAt.localeCompare(a.job.startedAt));
  const anyFinished = listed.some((tracked) => !isActive(tracked.job));
  const selected = ENTITIES.find((e) => e.value === entity);

  return (
    <div className="grid-2 grid-2--wide-right">
      <Card title="Generate data">
        <form onSubmit={(event) => void start(event)} noValidate data-testid="generate-form">
          <p className="muted generate__intro">
            Fill the platform with realistic test data for demos and load tests. Rows are written in batches
            on the server; you can leave this page while a job runs.
          </p>
          <div className="field">
            <span>What</span>
            <div
              className="segmented segmented--flush"
              role="radiogroup"
              aria-label="What to generate"
              onKeyDown={radioGroupKeys(ENTITY_VALUES, entity, setEntity)}
            >
              {ENTITIES.map((option) => (
                <button
                  key={option.value}
                  type="button"
                  role="radio"
                  aria-checked={entity === option.value}
                  tabIndex={radioTabIndex(ENTITY_VALUES, entity, option.value)}
                  className={entity === option.value ? 'segmented__item is-active' : 'segmented__item'}
                  onClick={() => setEntity(option.value)}
                  data-testid={`generate-entity-${option.value}`}
                >
                  {option.label}
                </button>
              ))}
            </div>
            {selected !== undefined && <span className="field__hint">{selected.hint}</span>}
          </div>
          <label className={countProblem === null ? 'field' : 'field field--invalid'}>
            <span>How many</span>
            <input
              type="number"
              inputMode="numeric"
              min={1}
              max={MAX_COUNT}
              step={1}
              value={countText}
              onChange={(event) => setCountText(event.target.value)}
              data-testid="generate-count"
            />
            {countProblem !== null && countText !== '' && (
              <span className="field__error">{countProblem}</span>
            )}
          </label>
          <div className="row generate__presets">
            {PRESETS.map((preset) => (
              <button
                key={preset}
                type="button"
                className={total === preset ? 'chip is-active' : 'chip'}
                onClick={() => setCountText(String(preset))}
              >
                {count(preset)}
              </button>
            ))}
          </div>
          {error !== null && <ErrorBanner message={error} />}
          <button
            type="submit"
            className="btn btn--primary btn--block"
            disabled={starting || countProblem !== null}
            data-testid="generate-start"
          >
            {starting
              ? 'Starting…'
              : countProblem === null
                ? `Generate ${count(total)} ${entityLabel(entity).toLowerCase()}`
                : 'Generate'}
          </button>
        </form>
      </Card>
      <Card
        title="Jobs"
        actions={
          anyFinished ? (
            <button type="button" className="btn btn--ghost btn--small" onClick={clearFinished}>
              Clear finished
            </button>
          ) : undefined
        }
      >
        {listed.length === 0 ? (
          <Empty>
            No generation job yet. Jobs started here, and other admins' running jobs, show up here live.
          </Empty>
        ) : (
          <ul className="jobs" data-testid="generation-jobs">
            {listed.map((tracked) => (
              <JobProgress key={tracked.job.id} tracked={tracked} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
