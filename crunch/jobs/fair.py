"""Which waiting job gets the next free solver: a fair share across schools and users.

First come, first served let one school's batch of queued jobs hold every other
school's back (a trivial job waited 92 s behind 20 of another school's). Here the
next job is that of the school with the fewest jobs running now, and among those
the school served longest ago (one never served first); within the school, the
same rule between its users; and only then the order in which the jobs came. So a
school's twentieth job waits for the other schools' first ones, and no job waits
for ever: every waiting school gets a turn before any gets another (a district
has finitely many schools).

Shared by the supervising threads of one runner (crunch.jobs.runner): each job
`join`s when it is submitted, and its thread then `acquire`s a slot, which it
`release`s when its solve ends, or `leave`s the line if it gives up waiting.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Owner:
    """Whose job it is: the fair share is counted per school, then per user."""

    school_id: int | None = None
    user_id: int | None = None
    # The school's other queued or running jobs when this one started (the RQ
    # backend queues a school's first job ahead of the schools' backlogs).
    school_active: int = 0


@dataclass(frozen=True)
class _Waiting:
    owner: Owner
    arrived: int


class FairSlots:
    """`slots` solvers at once, handed out by fair share rather than arrival."""

    def __init__(self, slots: int) -> None:
        self.slots = max(1, int(slots))
        self._condition = threading.Condition()
        self._waiting: dict[int, _Waiting] = {}
        self._holding: dict[int, Owner] = {}
        self._running: Counter[Hashable] = Counter()
        self._served: dict[Hashable, int] = {}  # school (or school, user) -> its last turn
        self._turns = itertools.count()
        self._arrivals = itertools.count()

    def join(self, job_id: int, owner: Owner | None = None) -> None:
        """Put the job in line (when it is submitted: its place among equals)."""
        with self._condition:
            self._waiting[job_id] = _Waiting(owner or Owner(), next(self._arrivals))
            self._condition.notify_all()

    def acquire(self, job_id: int, timeout: float) -> bool:
        """Wait up to `timeout` s for the job's turn at a free slot; True if it got one."""
        ends = time.monotonic() + timeout
        with self._condition:
            if job_id not in self._waiting:
                self._waiting[job_id] = _Waiting(Owner(), next(self._arrivals))
            while not (len(self._holding) < self.slots and self.next_up() == job_id):
                left = ends - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
            owner = self._waiting.pop(job_id).owner
            self._holding[job_id] = owner
            turn = next(self._turns)
            for key in self._keys(owner):
                self._running[key] += 1
                self._served[key] = turn
            return True

    def release(self, job_id: int) -> None:
        """The job's solve ended: its slot goes to whoever is next."""
        with self._condition:
            owner = self._holding.pop(job_id, None)
            if owner is not None:
                for key in self._keys(owner):
                    self._running[key] -= 1
            self._condition.notify_all()

    def leave(self, job_id: int) -> None:
        """The job stopped waiting (cancelled, or the server is stopping)."""
        with self._condition:
            if self._waiting.pop(job_id, None) is not None:
                self._condition.notify_all()

    def next_up(self) -> int | None:
        """The waiting job whose turn is next, if any."""
        with self._condition:
            if not self._waiting:
                return None
            return min(self._waiting, key=self._rank)

    def waiting(self) -> int:
        with self._condition:
            return len(self._waiting)

    def _rank(self, job_id: int) -> tuple:
        waiting = self._waiting[job_id]
        school, user = self._keys(waiting.owner)
        return (
            self._running[school],
            self._served.get(school, -1),
            self._running[user],
            self._served.get(user, -1),
            waiting.arrived,
        )

    @staticmethod
    def _keys(owner: Owner) -> tuple[Hashable, Hashable]:
        return ("school", owner.school_id), ("user", owner.school_id, owner.user_id)
