"""A job's stored file as the thread that parses it reads it: chunk by chunk, on demand.

The rows of a file are read and checked in a worker thread (the event loop keeps answering),
while the chunks are rows of the database, read through the job's async session. The thread
asks the event loop for each next chunk and waits; one chunk is held at a time. The read takes
the file's `session_lock`, which the job holds around its own use of that session while the
thread reads ahead, so the session is never used by two at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass

from app.repositories.job_upload_repo import JobUploadRepository


@dataclass(frozen=True, slots=True)
class StoredFile:
    """The file's byte chunks in order (to be iterated off the event loop only), its
    newline count (an upper bound of its rows, for progress), and the lock each chunk's read
    takes on the job's session (`session_lock`)."""

    chunks: Iterable[bytes]
    newlines: int
    session_lock: asyncio.Lock


class _ChunksThroughLoop:
    """Each next chunk is read by a task on the loop, started for the waiting thread; once the
    file is closed (the job stopped waiting for its thread: done, failed or cancelled), none is
    started any more, so the session is free for the job's rollback."""

    def __init__(self, uploads: JobUploadRepository, job_id: int, lock: asyncio.Lock) -> None:
        self._uploads = uploads
        self._job_id = job_id
        self._lock = lock
        self._loop = asyncio.get_running_loop()
        self._reading: asyncio.Task[tuple[int, bytes] | None] | None = None
        self._closed = False

    def _start(self, seq: int, answer: Future[tuple[int, bytes] | None]) -> None:
        """On the loop: read the chunk after `seq` into `answer`."""
        if self._closed:
            answer.set_exception(RuntimeError("the job stopped reading its file"))
            return
        self._reading = self._loop.create_task(self._read(seq))

        def relay(reading: asyncio.Task[tuple[int, bytes] | None]) -> None:
            if reading.cancelled():
                answer.set_exception(RuntimeError("the job stopped reading its file"))
            elif (error := reading.exception()) is not None:
                answer.set_exception(error)
            else:
                answer.set_result(reading.result())

        self._reading.add_done_callback(relay)

    async def _read(self, seq: int) -> tuple[int, bytes] | None:
        async with self._lock:
            return await self._uploads.chunk_after(self._job_id, seq)

    def __iter__(self) -> Iterator[bytes]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass  # a worker thread, as it must be
        else:
            raise RuntimeError("a stored file is read in a thread: its chunks need the loop")
        seq = -1
        while True:
            answer: Future[tuple[int, bytes] | None] = Future()
            self._loop.call_soon_threadsafe(self._start, seq, answer)
            found = answer.result()
            if found is None:
                return
            seq, chunk = found
            yield chunk

    async def close(self) -> None:
        """No chunk is read from now on; one being read is awaited (its outcome dropped)."""
        self._closed = True
        if self._reading is not None and not self._reading.done():
            await asyncio.wait([self._reading])


@asynccontextmanager
async def open_stored_file(uploads: JobUploadRepository, job_id: int) -> AsyncIterator[StoredFile]:
    """The job's file while the block lasts; JobUploadMissingError when it is no longer
    stored."""
    newlines = await uploads.newlines_of(job_id)
    lock = asyncio.Lock()
    chunks = _ChunksThroughLoop(uploads, job_id, lock)
    try:
        yield StoredFile(chunks, newlines, lock)
    finally:
        await asyncio.shield(chunks.close())
