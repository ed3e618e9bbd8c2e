import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEventSource } from '@/testing/fakeEventSource';
import { makeJob } from '@/testing/jobs';
import { retryDelay, useJobStreamsStore } from './jobStreams';

beforeEach(() => {
  setActivePinia(createPinia());
  FakeEventSource.reset();
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('job streams', () => {
  it('opens one EventSource per job, however many components follow it', () => {
    const streams = useJobStreamsStore();
    streams.follow(7);
    streams.follow(7);
    streams.follow(8);

    expect(FakeEventSource.instances.map((source) => source.url)).toEqual([
      '/api/v1/sync/jobs/7/stream',
      '/api/v1/sync/jobs/8/stream',
    ]);
    expect(FakeEventSource.instances[0]?.init).toEqual({ withCredentials: true });
  });

  it('keeps the latest state of the job from its events', () => {
    const streams = useJobStreamsStore();
    streams.follow(7);
    FakeEventSource.instances[0]?.send(makeJob({ progress_done: 4, progress_total: 10 }));

    expect(streams.jobs[7]?.job?.progress_done).toBe(4);
    expect(streams.jobs[7]?.connected).toBe(true);
    expect(streams.jobs[7]?.finished).toBe(false);
  });

  it('closes the stream on stream_closed and tells the listeners once', () => {
    const streams = useJobStreamsStore();
    const finished = vi.fn();
    streams.onFinished(finished);
    streams.follow(7);
    const source = FakeEventSource.instances[0]!;

    source.send({ ...makeJob({ state: 3, result: 0 }), stream_closed: true });

    expect(source.closed).toBe(true);
    expect(streams.jobs[7]?.finished).toBe(true);
    expect(streams.jobs[7]?.job).not.toHaveProperty('stream_closed');
    expect(finished).toHaveBeenCalledTimes(1);
    expect(finished.mock.calls[0]?.[0]).toMatchObject({ id: 7, state: 3, result: 0 });
    // A finished job is not reopened, even when followed again.
    streams.follow(7);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(streams.openStreamCount()).toBe(0);
  });

  it('does not announce a job as finished when its connection drops', () => {
    const streams = useJobStreamsStore();
    const finished = vi.fn();
    streams.onFinished(finished);
    streams.follow(7);
    FakeEventSource.instances[0]?.drop();

    expect(finished).not.toHaveBeenCalled();
    expect(streams.jobs[7]?.finished).toBe(false);
  });

  it('reconnects after a dropped connection, and the new stream gives the state', () => {
    const streams = useJobStreamsStore();
    streams.follow(7);
    const first = FakeEventSource.instances[0]!;
    first.send(makeJob({ progress_done: 2 }));
    first.drop();

    expect(first.closed).toBe(true);
    expect(streams.jobs[7]?.connected).toBe(false);
    vi.advanceTimersByTime(retryDelay(0));

    const second = FakeEventSource.instances[1]!;
    expect(second.url).toBe('/api/v1/sync/jobs/7/stream');
    expect(FakeEventSource.open()).toEqual([second]);
    second.send(makeJob({ progress_done: 6 }));
    expect(streams.jobs[7]?.job?.progress_done).toBe(6);
  });

  it('waits longer after each failed reconnection, up to a limit', () => {
    expect(retryDelay(0)).toBeLessThan(retryDelay(1));
    expect(retryDelay(1)).toBeLessThan(retryDelay(2));
    expect(retryDelay(20)).toBe(retryDelay(30));

    const streams = useJobStreamsStore();
    streams.follow(7);
    FakeEventSource.instances[0]?.drop();
    vi.advanceTimersByTime(retryDelay(0));
    FakeEventSource.instances[1]?.drop();
    vi.advanceTimersByTime(retryDelay(0));
    expect(FakeEventSource.instances).toHaveLength(2);
    vi.advanceTimersByTime(retryDelay(1) - retryDelay(0));
    expect(FakeEventSource.instances).toHaveLength(3);
  });

  it('closes every stream and cancels reconnections when the page leaves', () => {
    const streams = useJobStreamsStore();
    streams.follow(7);
    streams.follow(8);
    FakeEventSource.instances[1]?.drop();

    streams.stopAll();
    vi.advanceTimersByTime(60_000);

    expect(FakeEventSource.open()).toEqual([]);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(streams.jobs).toEqual({});
  });
});
