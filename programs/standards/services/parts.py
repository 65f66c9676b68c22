"""A province's surveys classified in parts at once, each part on a connection of its own.

PostgreSQL 15 runs the compiled standard (programs/standards/compiled.py) only in a query's leader: the members are
read through a LATERAL subquery, whose reference to the survey is a parameter a parallel worker cannot take. So the
batch cuts the households in parts (household id modulo the number of parts) and runs one query per part on a
connection of its own, from a thread of its own (psycopg waits for the server without holding the GIL). Each part
sees what is committed, as one query would; inside a transaction (a test, a caller's atomic block) only this
connection sees what it wrote, so the caller then runs a single part here (`parts` says 1).
"""

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connection, transaction

T = TypeVar("T")
BUFFER = 1 << 20  # the rows of a part sent on in pieces of about this many bytes
QUEUED = 16  # pieces waiting for the sink at most (about 16 MB)
# Connections of parts open at once in this process at most (a gunicorn worker's threads share them): sixteen
# what-ifs at once wait for their turn rather than open 32 more connections than the server may allow.
CONNECTIONS = threading.BoundedSemaphore(4)


def parts() -> int:
    """How many parts: the workers PostgreSQL would give one query (max_parallel_workers_per_gather, at most 4); one
    inside a transaction."""
    if connection.in_atomic_block:
        return 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')::int")
        workers: int = cursor.fetchone()[0]
    return max(1, min(4, workers))


def _session(cursor: Any) -> None:
    # The query is one long expression per survey: compiling it to machine code (JIT) costs more than it saves.
    cursor.execute("SET LOCAL jit = off")
    # A part waits on the caller in Python, which PostgreSQL cannot see: should a part queue behind a lock (a
    # migration's ALTER TABLE waiting on the caller's transaction), it fails after a minute rather than wait forever.
    cursor.execute("SET LOCAL lock_timeout = '60s'")


def run(count: int, work: Callable[[Any, int], T]) -> list[T]:
    """`work(cursor, part)` for each of `count` parts, each in a transaction on a connection of its own (on this one
    when there is a single part)."""

    def part(number: int) -> T:
        with transaction.atomic(), connection.cursor() as cursor:
            _session(cursor)
            return work(cursor, number)

    if count == 1:
        return [part(0)]

    def on_own_connection(number: int) -> T:
        with CONNECTIONS:
            try:
                return part(number)
            finally:
                connection.close()  # this thread's own

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(on_own_connection, range(count)))


def copy_into(
    cursor: Any, table: str, columns: Sequence[str], select: str, params: Callable[[int], Sequence[Any]], count: int
) -> None:
    """The rows of `select` (run with `params(part)` for each part) copied into `table` of this connection's
    transaction: each part's COPY … TO STDOUT sent on as it comes, as text, into one COPY … FROM STDIN (no row
    decoded in Python). At most QUEUED pieces wait between the parts and the sink, so memory stays bounded whatever
    the province's size; if the sink fails, the parts stop at their next piece."""
    pieces: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUED)
    stopped = threading.Event()

    def put(piece: bytes | None) -> None:
        while not stopped.is_set():
            try:
                pieces.put(piece, timeout=0.5)
                return
            except queue.Full:
                continue
        raise Stopped

    def produce(own: Any, number: int) -> None:
        try:
            buffer = bytearray()
            with own.cursor.copy(f"COPY ({select}) TO STDOUT", params(number)) as source:
                for row in source:
                    buffer += row
                    if len(buffer) >= BUFFER:
                        put(bytes(buffer))
                        buffer.clear()
            put(bytes(buffer))
        finally:
            if not stopped.is_set():
                put(None)  # this part is done (or failed: its error is raised below)

    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(run, count, produce)
        try:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as sink:
                done = 0
                while done < count:
                    try:
                        piece = pieces.get(timeout=0.5)
                    except queue.Empty:
                        if running.done():  # a part failed before it could say so (its connection, say)
                            running.result()
                            if pieces.empty():
                                raise RuntimeError("a part ended without its rows") from None
                        continue
                    if piece is None:
                        done += 1
                    elif piece:
                        sink.write(piece)
        except BaseException:
            stopped.set()
            raise
        running.result()


class Stopped(Exception):
    """A part stopped because the sink failed (the sink's error is the one raised)."""
