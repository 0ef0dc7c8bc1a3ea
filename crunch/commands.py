"""`flask` commands: `flask --app crunch seed-demo` loads the demo district;
`flask --app crunch create-district NAME --admin EMAIL` starts a real one.

Commands run outside any request, so they see every district (tenancy.unrestricted).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import click
from flask import Flask
from sqlalchemy import select

from crunch import tenancy
from crunch.accounts.auth import hash_password, normal_email, password_problem
from crunch.database import begin_write
from crunch.deploy_check import check_deploy
from crunch.extensions import db
from crunch.models import District, Role, Scenario, School, User
from crunch.planning import plan_inputs, save_plan, start_plan

DEMO_DISTRICT = "Riverbend School District"
PRIMARY = ["K", "1", "2", "3", "4", "5", "6"]
PRIMARY_MAX = [22, 24, 24, 28, 28, 28, 28]


K12 = ["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]
K12_GRADES = list(
    zip(
        K12,
        [111, 149, 280, 255, 195, 227, 134, 263, 101, 246, 269, 120, 254],
        [15, 15, 15] + [18] * 10,
        [24, 25, 24, 28, 30, 28, 29, 28, 30, 30, 31, 30, 32],
        strict=True,
    )
)


def grades(counts: list[int], *, low: int = 15, high: list[int] = PRIMARY_MAX) -> list[dict]:
    return [
        {"name": n, "students": c, "min_size": low, "max_size": m}
        for n, c, m in zip(PRIMARY, counts, high, strict=True)
    ]


def pairs(*names: str) -> list[dict]:
    return [{"grades": list(n.split("/"))} for n in names]


# school -> year -> scenario name -> list of (inputs, note), oldest revision first
DEMO: dict[str, dict[int, dict[str, list[tuple[dict[str, Any], str]]]]] = {
    "Hillside Primary School": {
        2026: {
            "Adopted plan": [
                (
                    {
                        "teachers": 15,
                        "min_subclass_size": 5,
                        "grades": grades([44, 50, 48, 52, 47, 55, 49]),
                        "composites": pairs("1/2", "3/4", "5/6"),
                    },
                    "Plan adopted in November.",
                )
            ]
        },
        2027: {
            "Plan A": [
                (
                    {
                        "teachers": 14,
                        "min_subclass_size": 5,
                        "grades": grades([46, 45, 51, 49, 53, 48, 55]),
                        "composites": pairs("1/2", "3/4", "5/6"),
                    },
                    "First draft from the August enrolment estimate.",
                ),
                (
                    {
                        "teachers": 15,
                        "min_subclass_size": 5,
                        "grades": grades([46, 45, 51, 49, 53, 48, 55]),
                        "composites": pairs("1/2", "3/4", "5/6"),
                    },
                    "One more teacher funded.",
                ),
            ],
            "Plan B - no composites": [
                (
                    {
                        "teachers": 16,
                        "min_subclass_size": 5,
                        "grades": grades([46, 45, 51, 49, 53, 48, 55]),
                        "composites": [],
                    },
                    "What it takes to avoid composite classes.",
                )
            ],
        },
    },
    "Creek Valley Public School": {
        2027: {
            "Plan A": [
                (
                    {
                        "teachers": 4,
                        "min_subclass_size": 4,
                        "grades": grades(
                            [9, 11, 8, 12, 10, 9, 11], low=8, high=[22, 24, 24, 26, 26, 26, 26]
                        ),
                        "composites": pairs("K/1", "2/3", "3/4", "5/6", "4/5/6"),
                    },
                    "Four teachers, as this year.",
                )
            ]
        }
    },
    # A large K-12 school at the fewest teachers that can work: its plan is proved best
    # in the request (solver/chain.py); other options for it are slow to find.
    "Riverbend K-12 College": {
        2027: {
            "Fewest teachers": [
                (
                    {
                        "teachers": 93,
                        "min_subclass_size": 5,
                        "grades": [
                            {"name": n, "students": c, "min_size": low, "max_size": high}
                            for n, c, low, high in K12_GRADES
                        ],
                        "composites": pairs(*(f"{a}/{b}" for a, b in pairwise(K12))),
                    },
                    "Can 93 teachers cover every class? Other options take a while to find.",
                )
            ]
        }
    },
    "Lakeside Primary School": {
        2026: {
            "Adopted plan": [
                (
                    {
                        "teachers": 19,
                        "min_subclass_size": 6,
                        "grades": grades([62, 58, 66, 60, 64, 57, 61]),
                        "composites": pairs("2/3", "4/5"),
                    },
                    "Plan adopted in November.",
                )
            ]
        },
        2027: {
            "Plan A": [
                (
                    {
                        "teachers": 19,
                        "min_subclass_size": 6,
                        "grades": grades([60, 63, 57, 66, 59, 65, 56]),
                        "composites": pairs("2/3", "4/5"),
                    },
                    "Enrolment estimate from the office.",
                )
            ]
        },
    },
}


# The demo's logins: (email, name, role, schools). Planners, viewers and teachers
# see only their schools; the admin sees and manages the whole district.
DEMO_PASSWORD = "riverbend-demo"
DEMO_USERS = [
    ("admin@riverbend.example", "Dana Admin", Role.ADMIN, []),
    (
        "planner@riverbend.example",
        "Pat Planner",
        Role.PLANNER,
        ["Hillside Primary School", "Creek Valley Public School", "Riverbend K-12 College"],
    ),
    ("viewer@riverbend.example", "Vic Viewer", Role.VIEWER, ["Lakeside Primary School"]),
    # Every child of the school (no class set): an admin sets a class on the user form.
    ("teacher@riverbend.example", "Terry Teacher", Role.TEACHER, ["Hillside Primary School"]),
]
# (school, year, scenario) marked adopted when the school has none adopted that year.
DEMO_ADOPTED = [
    ("Hillside Primary School", 2026, "Adopted plan"),
    ("Lakeside Primary School", 2026, "Adopted plan"),
]


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_district)
    app.cli.add_command(check_deploy)
    app.cli.add_command(purge_roster_imports)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo district; running it again adds nothing that is already there."""
    with tenancy.unrestricted():
        added = load_demo()
        users = load_demo_users()
        roster = load_demo_roster()
    click.echo(f"Demo district ready ({added} scenarios added, {users} demo users added).")
    if roster:
        click.echo(f"Demo roster: {roster} (open Rosters, then its class lists).")
    click.echo("Open http://127.0.0.1:5000/ and log in with one of these demo accounts")
    click.echo(f"(password for each: {DEMO_PASSWORD}):")
    for email, _name, role, schools in DEMO_USERS:
        sees = ", ".join(schools) if schools else "every school of the district"
        click.echo(f"  {email:28} {Role.LABELS[role]:15} {sees}")


@click.command("purge-roster-imports")
def purge_roster_imports() -> None:
    """Delete uploaded roster files left waiting longer than ROSTER_IMPORT_MAX_AGE_SECONDS
    (the next upload does it too; run this from cron to be sure none stays)."""
    from flask import current_app

    from crunch.rosters.store import drop_expired_imports

    with tenancy.unrestricted():
        count = drop_expired_imports(float(current_app.config["ROSTER_IMPORT_MAX_AGE_SECONDS"]))
    click.echo(f"{count} expired roster imports deleted.")


@click.command("create-district")
@click.argument("name")
@click.option("--admin", "email", required=True, help="Email of the district's first admin.")
@click.password_option(
    "--password", prompt="Password for the admin", help="Asked for when not given."
)
def create_district(name: str, email: str, password: str) -> None:
    """Create a district and its first district admin (asks for the password)."""
    name, email = name.strip(), normal_email(email)
    if not name or len(name) > 120 or not name.isprintable():
        raise click.BadParameter("give a printable name of 1-120 characters", param_hint="NAME")
    if "@" not in email or len(email) > 254 or not email.isprintable():
        raise click.BadParameter("give an email address", param_hint="--admin")
    problem = password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    with tenancy.unrestricted():
        if db.session.scalar(select(District).where(District.name == name)):
            raise click.ClickException(f"There is already a district called {name}.")
        if db.session.scalar(select(User).where(User.email == email)):
            raise click.ClickException(f"There is already an account for {email}.")
        district = District(name=name)
        db.session.add(district)
        db.session.add(
            User(
                district=district,
                email=email,
                name="",
                role=Role.ADMIN,
                password_hash=hash_password(password),
            )
        )
        db.session.commit()
    click.echo(f"District {name} created; {email} can log in as its admin.")


def load_demo_users() -> int:
    """The demo accounts and adopted plans; existing ones (and their passwords) are kept."""
    district = db.session.scalar(select(District).where(District.name == DEMO_DISTRICT))
    schools = {s.name: s for s in db.session.scalars(select(School))}
    added = 0
    begin_write()
    for email, name, role, school_names in DEMO_USERS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            user = User(
                district_id=district.id,
                email=email,
                name=name,
                role=role,
                password_hash=hash_password(DEMO_PASSWORD),
            )
            user.schools = [schools[s] for s in school_names]
            db.session.add(user)
            added += 1
    for school_name, year, scenario_name in DEMO_ADOPTED:
        school = schools[school_name]
        adopted = db.session.scalar(
            select(Scenario).where(
                Scenario.school_id == school.id, Scenario.year == year, Scenario.adopted.is_(True)
            )
        )
        if adopted is None:
            scenario = db.session.scalar(
                select(Scenario).where(
                    Scenario.school_id == school.id,
                    Scenario.year == year,
                    Scenario.name == scenario_name,
                )
            )
            scenario.adopted = True
    db.session.commit()
    return added


def load_demo() -> int:
    district = _get_or_add(District, name=DEMO_DISTRICT)
    added = 0
    for school_name, years in DEMO.items():
        school = _get_or_add(School, district_id=district.id, name=school_name)
        for year, plans in years.items():
            for name, revisions in plans.items():
                exists = db.session.scalar(
                    select(Scenario).where(
                        Scenario.school_id == school.id,
                        Scenario.year == year,
                        Scenario.name == name,
                    )
                )
                if exists is None:
                    _add_scenario(school, year, name, revisions)
                    added += 1
    return added


def load_demo_roster() -> str:
    """The first demo school's roster for its latest planned year: generated children
    (deterministic) that fill its first plan exactly, so the class-list board can be
    tried at once. Nothing is added when the year has a roster already."""
    from crunch.rosters import demo as demo_roster
    from crunch.rosters import store as roster_store
    from crunch.rosters.models import Roster

    school = db.session.scalar(select(School).where(School.name == next(iter(DEMO))))
    year = max(DEMO[school.name])
    scenario = db.session.scalar(
        select(Scenario)
        .where(Scenario.school_id == school.id, Scenario.year == year)
        .order_by(Scenario.adopted.is_(None), Scenario.id)
    )
    allocation = scenario.current_revision.allocation if scenario else None
    if not allocation or db.session.scalar(
        select(Roster).where(Roster.school_id == school.id, Roster.year == year)
    ):
        return ""
    kids = demo_roster.children(demo_roster.grade_totals(allocation), seed=year)
    roster_store.save(school, year, kids, f"Demo roster: {len(kids)} generated children.")
    return f"{school.name} {year}, {len(kids)} children"


def _get_or_add(model, **fields):
    begin_write()
    row = db.session.scalar(select(model).filter_by(**fields))
    if row is None:
        row = model(**fields)
        db.session.add(row)
    db.session.commit()
    return row


def _add_scenario(school: School, year: int, name: str, revisions) -> None:
    scenario = None
    for inputs, note in revisions:
        checked = plan_inputs(inputs)
        if checked.scenario is None:
            raise click.ClickException(f"Demo scenario {name} is invalid: {checked.errors}")
        if scenario is None:
            scenario = start_plan(school, year=year, name=name, inputs=inputs, note=note)
        else:
            save_plan(scenario, inputs, note=note)
