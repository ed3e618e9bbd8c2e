"""A job's stored file as the thread that parses it reads it: chunk by chunk, on demand.

The rows of a file are read and checked in a worker thread (the event loop keeps answering),
while the chunks are rows of the database, read through the job's async session. The thread
asks the event loop for each next chunk and waits: the job's coroutine is itself waiting for
the thread then, so the session is never used by two at once, and one chunk is held at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.repositories.job_upload_repo import JobUploadRepository


@dataclass(frozen=True, slots=True)
class StoredFile:
    """The file's byte chunks in order (to be iterated off the event loop only) and its
    newline count (an upper bound of its rows, for progress)."""

    chunks: Iterable[bytes]
    newlines: int


class _ChunksThroughLoop:
    def __init__(self, uploads: JobUploadRepository, job_id: int) -> None:
        self._uploads = uploads
        self._job_id = job_id
        self._loop = asyncio.get_running_loop()

    def __iter__(self) -> Iterator[bytes]:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass  # a worker thread, as it must be
        else:
            raise RuntimeError("a stored file is read in a thread: its chunks need the loop")
        seq = -1
        while True:
            found = asyncio.run_coroutine_threadsafe(
                self._uploads.chunk_after(self._job_id, seq), self._loop
            ).result()
            if found is None:
                return
            seq, chunk = found
            yield chunk


async def open_stored_file(uploads: JobUploadRepository, job_id: int) -> StoredFile:
    """The job's file; JobUploadMissingError when it is no longer stored."""
    newlines = await uploads.newlines_of(job_id)
    return StoredFile(_ChunksThroughLoop(uploads, job_id), newlines)
