"""Tenant isolation in one place: every ORM query sees only the current scope.

A `do_orm_execute` hook adds `with_loader_criteria` to every ORM SELECT, UPDATE
and DELETE (relationship loads inherit it):

- schools: only the ids in scope;
- rows that belong to a school (`SchoolOwned`: scenarios, revisions, jobs): only
  those of a school in scope;
- districts and users: only the scope's district.

The scope comes from the logged-in user during a request (see `for_user`), or
from `unrestricted()` for commands and test set-up. With no scope at all, every
such query finds nothing: the filter fails closed. So a view cannot forget a
check: another school's id simply finds no row, and the view answers 404.

Raw SQL (`text()`) bypasses the hook, so views and services use the ORM only. The
one exception is the job runner's thread (crunch.jobs.runner), which writes a
job's progress by its id with Core statements, outside any request.
`Session.get()` can answer from the session's identity map without a query, so
lookups by id from a URL go through `select()` (see crunch/schools/store.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, has_request_context, request
from sqlalchemy import event, false
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from crunch.models import District, Role, School, SchoolOwned, User


@dataclass(frozen=True)
class Scope:
    """What the current user may see: their district and some of its schools."""

    district_id: int | None
    school_ids: frozenset[int]


# Nothing: the scope of an anonymous request, and of code that set none.
NOTHING = Scope(None, frozenset())
# Everything: for commands (seed-demo, create-district) and test set-up only.
EVERYTHING = None

_UNSET = object()
_outside_requests: ContextVar[object] = ContextVar("crunch_scope", default=_UNSET)
# What code outside requests sees when no `scoped()` block is open: nothing. Only a
# test suite changes it (see `see_everything_outside_requests`).
_outside_default: list[Scope | None] = [NOTHING]
ENVIRON_KEY = "crunch.scope"
BYPASS = "crunch_unscoped"  # execution option used only to compute a user's scope


@contextmanager
def scoped(scope: Scope | None) -> Iterator[None]:
    """Outside requests, see what `scope` allows (requests keep their user's scope)."""
    token = _outside_requests.set(scope)
    try:
        yield
    finally:
        _outside_requests.reset(token)


def unrestricted():
    """See every row, outside requests: for commands and test set-up only."""
    return scoped(EVERYTHING)


def see_everything_outside_requests(on: bool = True) -> None:
    """For a test suite: its own set-up and checks see every row (requests stay scoped)."""
    _outside_default[0] = EVERYTHING if on else NOTHING


def current() -> Scope | None:
    """The scope in force: the request's user's, else what `unrestricted` set (else nothing).

    The request's scope lives on the request itself, not on `g`, which an app
    context may share between requests (as Flask's test client does).
    """
    if has_request_context() and ENVIRON_KEY in request.environ:
        return request.environ[ENVIRON_KEY]
    scope = _outside_requests.get()
    return _outside_default[0] if scope is _UNSET else scope


def set_request_scope(scope: Scope) -> None:
    request.environ[ENVIRON_KEY] = scope


def for_user(session: Session, user: User | None) -> Scope:
    """The schools a user may see: the whole district for admins, else their own.

    Archived schools are for admins only.
    """
    if user is None or not user.active:
        return NOTHING
    query = School.__table__.select().with_only_columns(School.id)
    query = query.where(School.district_id == user.district_id)
    if user.role == Role.ADMIN:
        ids = session.execute(query, execution_options={BYPASS: True}).scalars()
    else:
        from crunch.models import user_schools

        query = query.where(
            School.archived == false(),
            School.id.in_(
                user_schools.select()
                .with_only_columns(user_schools.c.school_id)
                .where(user_schools.c.user_id == user.id)
            ),
        )
        ids = session.execute(query, execution_options={BYPASS: True}).scalars()
    return Scope(user.district_id, frozenset(ids))


def init_app(app: Flask) -> None:
    """Scope every ORM query of every app in this process (the hook is global)."""
    install()


def install() -> None:
    """Listen on every ORM Session (Flask-SQLAlchemy's included). Idempotent."""
    if not event.contains(Session, "do_orm_execute", _scope_query):
        event.listen(Session, "do_orm_execute", _scope_query)


def _scope_query(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # the criteria of the statement that loaded the parent carry over
    if state.execution_options.get(BYPASS):
        return
    scope = current()
    if scope is EVERYTHING:
        return
    # An empty list matches nothing, and no district has the id -1.
    schools = sorted(scope.school_ids)
    district = scope.district_id if scope.district_id is not None else -1
    state.statement = state.statement.options(
        with_loader_criteria(School, lambda cls: cls.id.in_(schools), include_aliases=True),
        with_loader_criteria(
            SchoolOwned, lambda cls: cls.school_id.in_(schools), include_aliases=True
        ),
        with_loader_criteria(District, lambda cls: cls.id == district, include_aliases=True),
        with_loader_criteria(User, lambda cls: cls.district_id == district, include_aliases=True),
    )
