"""The district admin's screens, the adopted plans, the district overview and the
`create-district` command."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crunch.extensions import db
from crunch.models import District, Role, Scenario, School, User
from tests.conftest import (
    ADMIN,
    HILLSIDE,
    PLANNER,
    VIEWER,
    AuthActions,
    add_school,
    login,
    make_app,
    save_scenario,
)


@pytest.fixture
def admin(app):
    client = app.test_client()
    AuthActions(client).login(ADMIN)
    return client


def main_of(response) -> str:
    """The page without its flash messages."""
    html = response.get_data(as_text=True)
    return html[html.index("<main>") :]


def fresh(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(model).filter_by(**where))


# ---------------------------------------------------------------- schools


def test_admin_adds_renames_archives_and_brings_back_a_school(admin):
    assert admin.post("/admin/schools", data={"name": " Brook Primary "}).status_code == 303
    school = fresh(School, name="Brook Primary")
    assert school is not None and school.district.name == "Test District"
    assert "Brook Primary" in admin.get("/admin/schools").get_data(as_text=True)
    assert "Brook Primary" in admin.get("/").get_data(as_text=True)

    renamed = admin.post(f"/admin/schools/{school.id}/rename", data={"name": "Brook Public"})
    assert renamed.status_code == 303
    assert fresh(School, id=school.id).name == "Brook Public"

    assert (
        admin.post(f"/admin/schools/{school.id}/archive", data={"archived": "1"}).status_code == 303
    )
    assert fresh(School, id=school.id).archived is True
    assert "Brook Public" not in main_of(admin.get("/"))
    assert "archived" in admin.get("/admin/schools").get_data(as_text=True)

    admin.post(f"/admin/schools/{school.id}/archive", data={"archived": "0"})
    assert fresh(School, id=school.id).archived is False


@pytest.mark.parametrize("name", ["", "   ", "Hillside Primary", "hillside primary", "x" * 121])
def test_a_bad_school_name_is_refused_with_a_message(admin, name):
    before = db.session.scalar(select(db.func.count(School.id)))
    response = admin.post("/admin/schools", data={"name": name})
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(School.id))) == before


def test_renaming_to_a_taken_name_is_refused(admin):
    other = add_school("Other Primary")
    response = admin.post(f"/admin/schools/{other.id}/rename", data={"name": "Hillside Primary"})
    assert response.status_code == 422
    assert "already has a school" in response.get_data(as_text=True)
    assert fresh(School, id=other.id).name == "Other Primary"


def test_an_archived_school_leaves_its_planners_view(app, admin, client, school):
    assert client.get(f"/schools/{school.id}").status_code == 200
    admin.post(f"/admin/schools/{school.id}/archive", data={"archived": "1"})
    assert client.get(f"/schools/{school.id}").status_code == 404
    assert admin.get(f"/schools/{school.id}").status_code == 200  # admins keep it


# ---------------------------------------------------------------- users


def test_admin_creates_a_user_who_sees_only_their_schools(app, admin, school):
    other = add_school("Other Primary")
    response = admin.post(
        "/admin/users",
        data={
            "email": " New.Planner@Test.Example ",
            "name": "New Planner",
            "role": Role.PLANNER,
            "schools": [str(other.id)],
            "password": "first password 1",
        },
    )
    assert response.status_code == 303
    user = fresh(User, email="new.planner@test.example")
    assert user.role == Role.PLANNER and [s.name for s in user.schools] == ["Other Primary"]
    assert user.password_hash.startswith("$argon2id$")
    newcomer = app.test_client()
    assert login(newcomer, "new.planner@test.example", "first password 1").status_code == 303
    assert newcomer.get(f"/schools/{other.id}").status_code == 200
    assert newcomer.get(f"/schools/{school.id}").status_code == 404
    assert "Hillside Primary" not in newcomer.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "form, message",
    [
        ({"email": PLANNER, "role": "viewer", "password": "long enough 1"}, "already an account"),
        ({"email": "not-an-email", "role": "viewer", "password": "long enough 1"}, "email"),
        ({"email": "a@b.example", "role": "boss", "password": "long enough 1"}, "Not a valid"),
        ({"email": "a@b.example", "role": "viewer", "password": "short"}, "at least 10"),
        ({}, "Enter an email"),
    ],
)
def test_a_bad_new_user_is_refused_with_a_message(admin, form, message):
    before = db.session.scalar(select(db.func.count(User.id)))
    response = admin.post("/admin/users", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == before


def test_admin_changes_a_users_role_and_schools(app, admin, school):
    viewer = fresh(User, email=VIEWER)
    response = admin.post(
        f"/admin/users/{viewer.id}", data={"name": "Promoted", "role": Role.PLANNER, "schools": []}
    )
    assert response.status_code == 303
    viewer = fresh(User, email=VIEWER)
    assert viewer.role == Role.PLANNER and viewer.schools == [] and viewer.name == "Promoted"
    page = admin.get(f"/admin/users/{viewer.id}").get_data(as_text=True)
    assert "Promoted" in page


def test_an_admin_keeps_their_own_admin_role_and_account(admin):
    me = fresh(User, email=ADMIN)
    demote = admin.post(f"/admin/users/{me.id}", data={"role": Role.VIEWER})
    assert demote.status_code == 422
    assert fresh(User, email=ADMIN).role == Role.ADMIN
    admin.post(f"/admin/users/{me.id}/active", data={"active": "0"})
    assert fresh(User, email=ADMIN).active is True


def test_a_deactivated_user_can_be_reactivated(app, admin):
    viewer = fresh(User, email=VIEWER)
    admin.post(f"/admin/users/{viewer.id}/active", data={"active": "0"})
    assert login(app.test_client(), VIEWER).status_code == 401
    assert "deactivated" in admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{viewer.id}/active", data={"active": "1"})
    assert login(app.test_client(), VIEWER).status_code == 303


@pytest.mark.parametrize("email", [PLANNER, VIEWER])
def test_only_district_admins_reach_the_admin_screens(app, email):
    client = app.test_client()
    AuthActions(client).login(email)
    planner_id = fresh(User, email=PLANNER).id
    for path in ("/admin/schools", "/admin/users", f"/admin/users/{planner_id}"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/schools", data={"name": "Sneaky"}).status_code == 403
    assert fresh(School, name="Sneaky") is None
    assert "Schools and users" not in client.get("/").get_data(as_text=True)


def test_another_districts_users_and_schools_answer_404(admin):
    elsewhere = District(name="Elsewhere")
    school = School(district=elsewhere, name="Elsewhere School")
    user = User(district=elsewhere, email="x@elsewhere.example", role=Role.ADMIN, password_hash="x")
    db.session.add_all([elsewhere, school, user])
    db.session.commit()
    assert admin.get(f"/admin/users/{user.id}").status_code == 404
    assert admin.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 404
    assert (
        admin.post(f"/admin/schools/{school.id}/rename", data={"name": "Mine"}).status_code == 404
    )
    assert fresh(User, id=user.id).active is True
    assert fresh(School, id=school.id).name == "Elsewhere School"
    assert "x@elsewhere.example" not in admin.get("/admin/users").get_data(as_text=True)
    # Ticking another district's school for a new user assigns nothing.
    admin.post(
        "/admin/users",
        data={
            "email": "n@test.example",
            "role": Role.PLANNER,
            "schools": [str(school.id)],
            "password": "long enough 1",
        },
    )
    created = fresh(User, email="n@test.example")
    assert created is None or created.schools == []


def test_a_saved_revision_records_its_author(app, client, editor_url, editor_form, scenario):
    assert client.post(f"{editor_url}/revisions", data=editor_form).status_code == 303
    db.session.expire_all()
    revision = fresh(Scenario, id=scenario.id).current_revision
    assert revision.number == 2
    assert revision.author.email == PLANNER
    assert scenario.revisions[-1].author_id is None  # saved by the test set-up, not a user


# ---------------------------------------------------------------- adopted plans and the overview


def test_adopting_a_plan_replaces_the_one_adopted_before(app, client, school):
    first = save_scenario(school, "Plan B", HILLSIDE)
    second = save_scenario(school, "Plan C", {**HILLSIDE, "teachers": 7})
    base = f"/schools/{school.id}/scenarios"
    assert client.post(f"{base}/{first.id}/adopt").status_code == 303
    assert fresh(Scenario, id=first.id).adopted is True
    assert client.post(f"{base}/{second.id}/adopt").status_code == 303
    assert fresh(Scenario, id=first.id).adopted is None
    assert fresh(Scenario, id=second.id).adopted is True
    page = client.get(f"/schools/{school.id}?year=2027").get_data(as_text=True)
    assert page.count('class="badge adopted"') == 1


def test_the_database_allows_one_adopted_plan_per_school_and_year(app, school):
    plans = [save_scenario(school, name, HILLSIDE) for name in ("P1", "P2")]
    other_year = save_scenario(school, "P3", HILLSIDE, year=2028)
    plans[0].adopted = True
    other_year.adopted = True
    db.session.commit()
    plans[1].adopted = True
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_viewers_cannot_adopt(app, school, scenario):
    viewer = app.test_client()
    AuthActions(viewer).login(VIEWER)
    url = f"/schools/{school.id}/scenarios/{scenario.id}/adopt"
    assert viewer.post(url).status_code == 403
    assert fresh(Scenario, id=scenario.id).adopted is None


def test_the_overview_shows_each_schools_adopted_plan_and_district_totals(app, admin, school):
    creek = add_school("Creek Primary", {**HILLSIDE, "teachers": 5})
    empty = School(district=school.district, name="Empty Primary")
    db.session.add(empty)
    for s in (school, creek):
        plan = db.session.scalar(select(Scenario).where(Scenario.school_id == s.id))
        plan.adopted = True
    db.session.commit()
    html = admin.get("/district?year=2027").get_data(as_text=True)
    assert "District overview: 2027" in html
    assert "Creek Primary" in html and "Hillside Primary" in html
    assert "no plan yet" in html  # Empty Primary
    # HILLSIDE: 110 children; 6 teachers make 6 classes, 5 teachers 5.
    assert '<tr class="totals"><td>District</td><td></td><td></td><td>11</td><td>11</td>' in html
    assert "<td>110</td>" in html and "<td>220</td>" in html
    assert "20.0" in html  # 220 children in 11 classes


def test_the_overview_opens_on_the_year_being_planned_with_each_schools_latest_draft(
    app, admin, school
):
    last_year = save_scenario(school, "Adopted plan", HILLSIDE, year=2026)
    last_year.adopted = True
    db.session.commit()
    save_scenario(school, "Plan Z", {**HILLSIDE, "teachers": 5})  # saved last, not adopted
    html = admin.get("/district").get_data(as_text=True)
    assert "District overview: 2027" in html
    row = html[html.index("Hillside Primary") :]
    row = row[: row.index("</tr>")]
    assert "Plan Z" in row and "draft" in row and "proved best" in row
    assert "none adopted" not in html


def test_a_planners_overview_holds_only_their_schools(app, client, school):
    hidden = School(district=school.district, name="Hidden Primary")
    db.session.add(hidden)
    db.session.commit()
    plan = save_scenario(hidden, "Hidden plan", HILLSIDE)
    plan.adopted = True
    db.session.commit()
    html = client.get("/district?year=2027").get_data(as_text=True)
    assert "Hillside Primary" in html
    assert "Hidden" not in html


def test_the_overview_ignores_an_odd_year(client):
    for year in ("abc", "99999999999999999999", "-1", "٣"):
        assert client.get(f"/district?year={year}").status_code == 200


# ---------------------------------------------------------------- commands


def test_create_district_asks_for_the_password_and_makes_an_admin(tmp_path):
    app = make_app(tmp_path / "cli.sqlite")
    with app.app_context():
        db.create_all()
        runner = app.test_cli_runner()
        result = runner.invoke(
            args=["create-district", "Northern Schools", "--admin", "Boss@North.Example"],
            input="a good password\na good password\n",
        )
        assert result.exit_code == 0, result.output
        assert "Password for the admin" in result.output
        assert "a good password" not in result.output
        user = fresh(User, email="boss@north.example")
        assert user.role == Role.ADMIN and user.district.name == "Northern Schools"
        client = app.test_client()
        assert login(client, "boss@north.example", "a good password").status_code == 303
        assert client.get("/admin/schools").status_code == 200

        again = runner.invoke(
            args=["create-district", "Northern Schools", "--admin", "other@north.example"],
            input="a good password\na good password\n",
        )
        assert again.exit_code != 0 and "already a district" in again.output
        short = runner.invoke(
            args=["create-district", "Southern", "--admin", "s@south.example"],
            input="short\nshort\n",
        )
        assert short.exit_code != 0 and "at least 10" in short.output
        assert fresh(District, name="Southern") is None
        db.session.remove()
        db.engine.dispose()


def test_seed_demo_adds_a_user_of_each_role_once(demo):
    app, runner, first = demo
    assert "admin@riverbend.example" in first.output and "riverbend-demo" in first.output
    roles = sorted(u.role for u in db.session.scalars(select(User)))
    assert roles == sorted(Role.ALL)
    adopted = db.session.scalars(select(Scenario).where(Scenario.adopted.is_(True))).all()
    assert len(adopted) == 2
    again = runner.invoke(args=["seed-demo"])
    assert "0 demo users added" in again.output
    assert db.session.scalar(select(db.func.count(User.id))) == len(Role.ALL)
    viewer = app.test_client()
    assert login(viewer, "viewer@riverbend.example", "riverbend-demo").status_code == 303
    html = viewer.get("/").get_data(as_text=True)
    assert "Lakeside Primary School" in html and "Hillside Primary School" not in html
    teacher = app.test_client()
    assert login(teacher, "teacher@riverbend.example", "riverbend-demo").status_code == 303
    landing = teacher.get("/")
    assert landing.status_code == 302 and "/rosters" in landing.headers["Location"]
