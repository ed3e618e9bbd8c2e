/** Live jobs: one EventSource per followed job, shared by every component that shows it.
 *
 * The stream sends the job at once, then each change, then a last event with
 * `stream_closed: true`; the source is closed there (else EventSource would reconnect to a
 * finished job forever). A dropped connection is reopened after a short, growing delay, and
 * the reopened stream's first event is the current state, so nothing is missed. */
import { defineStore } from 'pinia';
import { reactive } from 'vue';
import { jobStreamUrl } from '@/api/client';
import type { JobEvent, JobRead } from '@/api/types';

export interface FollowedJob {
  id: number;
  /** The latest state the stream gave; null until its first event. */
  job: JobRead | null;
  /** true once the stream's last event (the job FINISHED) arrived. */
  finished: boolean;
  connected: boolean;
}

type FinishedListener = (job: JobRead) => void;

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 8000;

export function retryDelay(attempt: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
}

function withoutClosedFlag(event: JobEvent): JobRead {
  const { stream_closed: _closed, ...job } = event;
  return job;
}

export const useJobStreamsStore = defineStore('jobStreams', () => {
  const jobs = reactive<Record<number, FollowedJob>>({});
  // Connections and timers are not state: nothing renders them.
  const sources = new Map<number, EventSource>();
  const retries = new Map<number, { attempt: number; timer: ReturnType<typeof setTimeout> | null }>();
  const listeners = new Set<FinishedListener>();

  function closeSource(id: number): void {
    sources.get(id)?.close();
    sources.delete(id);
    const retry = retries.get(id);
    if (retry?.timer) clearTimeout(retry.timer);
    retries.delete(id);
  }

  function receive(id: number, event: JobEvent): void {
    const entry = jobs[id];
    if (!entry) return;
    entry.job = withoutClosedFlag(event);
    entry.connected = true;
    retries.set(id, { attempt: 0, timer: null });
    if (event.stream_closed) {
      entry.finished = true;
      entry.connected = false;
      closeSource(id);
      for (const listener of [...listeners]) listener(entry.job);
    }
  }

  function reconnectLater(id: number): void {
    const attempt = retries.get(id)?.attempt ?? 0;
    const timer = setTimeout(() => {
      retries.set(id, { attempt: attempt + 1, timer: null });
      open(id);
    }, retryDelay(attempt));
    retries.set(id, { attempt, timer });
  }

  function open(id: number): void {
    if (!jobs[id] || jobs[id].finished || sources.has(id)) return;
    const source = new EventSource(jobStreamUrl(id), { withCredentials: true });
    sources.set(id, source);
    source.onmessage = (message: MessageEvent<string>) => {
      receive(id, JSON.parse(message.data) as JobEvent);
    };
    source.onerror = () => {
      // Reconnect ourselves: the browser gives up for good on an HTTP error, and its own
      // retry timing cannot be stopped when the page leaves.
      source.close();
      if (sources.get(id) !== source) return;
      sources.delete(id);
      const entry = jobs[id];
      if (!entry || entry.finished) return;
      entry.connected = false;
      reconnectLater(id);
    };
  }

  /** Follow a job (idempotent: a job followed twice still has one stream). */
  function follow(id: number): FollowedJob {
    let entry = jobs[id];
    if (!entry) {
      jobs[id] = { id, job: null, finished: false, connected: false };
      entry = jobs[id];
    }
    open(id);
    return entry;
  }

  /** Called with the final job, once per job, when its stream closes. Returns unsubscribe. */
  function onFinished(listener: FinishedListener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** The page leaves: close every stream and forget the jobs. */
  function stopAll(): void {
    for (const id of [...sources.keys(), ...retries.keys()]) closeSource(id);
    for (const id of Object.keys(jobs)) delete jobs[Number(id)];
  }

  function openStreamCount(): number {
    return sources.size;
  }

  return { jobs, follow, onFinished, stopAll, openStreamCount };
});
