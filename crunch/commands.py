"""`flask` commands: `flask --app crunch seed-demo` loads the demo district."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from sqlalchemy import select

from .extensions import db
from .models import District, Scenario, School
from .services import scenarios as store
from .services.drafts import Draft, check
from .services.planning import make_plan
from .sqlite import begin_write

DEMO_DISTRICT = "Riverbend School District"
PRIMARY = ["K", "1", "2", "3", "4", "5", "6"]
PRIMARY_MAX = [22, 24, 24, 28, 28, 28, 28]


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


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_demo)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the demo district; running it again adds nothing that is already there."""
    added = load_demo()
    click.echo(f"Demo district ready ({added} scenarios added).")
    click.echo("No login is needed yet: open http://127.0.0.1:5000/")


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
        draft = Draft.from_inputs(inputs)
        checked = check(draft.form(), draft, f"{year} - {name}")
        if checked.scenario is None:
            raise click.ClickException(f"Demo scenario {name} is invalid: {checked.errors}")
        plan = make_plan(checked.scenario, checked.inputs)
        saved = {
            "inputs": checked.inputs,
            "allocation": plan.saved_allocation(),
            "status": str(plan.solution.status),
            "note": note,
        }
        if scenario is None:
            scenario = store.create_scenario(school, year=year, name=name, **saved)
        else:
            store.save_revision(scenario, **saved)
