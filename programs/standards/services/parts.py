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
from collections.abc import Callable, Generator, Sequence
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
    transaction, in one turn (`copy_in_turns`)."""
    for _ in copy_in_turns(cursor, table, columns, select, lambda number, turn: params(number), count, 1):
        pass


def copy_in_turns(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    select: str,
    params: Callable[[int, int], Sequence[Any]],
    count: int,
    turns: int,
) -> Generator[int, None, None]:
    """The rows of `select` (run with `params(part, turn)`) copied into `table` of this connection's transaction,
    turn by turn: each part's COPY … TO STDOUT sent on as it comes, as text, into one COPY … FROM STDIN per turn
    (no row decoded in Python). Yields each turn once its rows are all in `table`, and while the caller works on
    them on this connection the parts go on with the next turn: each part's rows wait in a queue of its own, at
    most QUEUED pieces, so memory stays bounded whatever the province's size. If a part fails, its error is raised;
    if the sink or the caller fails, the parts stop at their next piece."""
    pieces: list[queue.Queue[bytes | None]] = [queue.Queue(maxsize=QUEUED) for _ in range(count)]
    stopped = threading.Event()
    failures: list[BaseException] = []

    def put(number: int, piece: bytes | None) -> None:
        while not stopped.is_set():
            try:
                pieces[number].put(piece, timeout=0.5)
                return
            except queue.Full:
                continue
        raise Stopped

    def produce(own: Any, number: int) -> None:
        try:
            for turn in range(turns):
                buffer = bytearray()
                with own.cursor.copy(f"COPY ({select}) TO STDOUT", params(number, turn)) as source:
                    for row in source:
                        buffer += row
                        if len(buffer) >= BUFFER:
                            put(number, bytes(buffer))
                            buffer.clear()
                put(number, bytes(buffer))
                put(number, None)  # this part's rows of this turn are all sent
        except Stopped:
            raise
        except BaseException as exc:
            failures.append(exc)  # raised by the sink, whichever part it waits on
            raise

    def take(number: int) -> bytes | None:
        while True:
            try:
                return pieces[number].get(timeout=0.5)
            except queue.Empty:
                if failures:
                    raise failures[0] from None
                if running.done():  # a part ended without its rows (its connection, say)
                    running.result()
                    raise RuntimeError("a part ended without its rows") from None

    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(run, count, produce)
        try:
            for turn in range(turns):
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as sink:
                    for number in range(count):
                        while (piece := take(number)) is not None:
                            if piece:
                                sink.write(piece)
                yield turn
        except BaseException:  # the sink's error, the caller's (thrown in at the yield) or the generator closed
            stopped.set()
            raise
        running.result()


class Stopped(Exception):
    """A part stopped because the sink failed (the sink's error is the one raised)."""
