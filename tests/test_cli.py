"""The `crunch` command (docs/scenario.md, Command line): JSON out, exit 0 or 2, no tracebacks."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crunch import cli
from tests.conftest import grade

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
CRUNCH = Path(sys.executable).parent / "crunch"
if not CRUNCH.exists():  # pragma: no cover - an installed script elsewhere on PATH
    CRUNCH = Path(shutil.which("crunch") or CRUNCH)

K12 = json.loads((EXAMPLES / "seed-k-1-2.json").read_text())


def run(*args: str, stdin: str | bytes | None = None) -> tuple[int, dict, str]:
    """The installed console script, as a user runs it: (exit status, JSON out, stderr)."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [str(CRUNCH), *args], input=data, capture_output=True, timeout=120, cwd=ROOT
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert "Traceback" not in out and "Traceback" not in err, err
    return done.returncode, json.loads(out), err


def call(argv: list[str], capsys, monkeypatch, stdin: str | bytes | None = None):
    """main(argv) in this process: (exit status, JSON out)."""
    if stdin is not None:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    status = cli.main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out and "Traceback" not in err
    return status, json.loads(out)


def write(tmp_path: Path, obj, name: str = "scenario.json") -> str:
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(path)


def fields(answer: dict) -> list[str]:
    assert answer["status"] == "invalid"
    assert answer["errors"], answer
    for error in answer["errors"]:
        assert set(error) == {"field", "message"} and error["message"]
    return [e["field"] for e in answer["errors"]]


# ------------------------------------------------------------ the console script


def test_solve_an_example():
    status, answer, _ = run("solve", "examples/seed-k-1-2.json")
    assert status == 0
    assert answer["status"] == "optimal"
    assert answer["metrics"] == {"classes": 5, "composites": 1, "balance": 1}
    assert {"classes", "alternatives", "diagnosis", "suggestions", "solve_seconds"} <= set(answer)
    assert sum(c["size"] for c in answer["classes"]) == 110


def test_solve_reads_standard_input():
    status, answer, _ = run("solve", "-", stdin=json.dumps(K12))
    assert status == 0
    assert answer["metrics"] == {"classes": 5, "composites": 1, "balance": 1}


def test_solve_with_alternatives_and_a_time_limit():
    status, answer, _ = run(
        "solve", "examples/seed-k-1-2.json", "--alternatives", "2", "--time-limit", "5"
    )
    assert status == 0
    assert 1 <= len(answer["alternatives"]) <= 2
    for alt in answer["alternatives"]:
        assert set(alt) >= {"classes", "metrics"}


def test_infeasible_is_an_answer_not_an_error():
    status, answer, _ = run("solve", "-", stdin=json.dumps(K12 | {"teachers": 3}))
    assert status == 0
    assert answer["status"] == "infeasible"
    assert answer["diagnosis"] and answer["suggestions"]
    assert answer["classes"] == []


def test_rebalance_the_worked_example():
    # the notes' shuffling rules reach balance 2; the best is 1
    status, answer, _ = run("rebalance", "examples/seed-rebalance.json")
    assert status == 0
    assert answer["status"] == "optimal"
    assert answer["metrics"]["balance"] == 1
    kinds = sorted(sorted(c["grades"]) for c in answer["classes"])
    given = json.loads((EXAMPLES / "seed-rebalance.json").read_text())["classes"]
    assert kinds == sorted(sorted(c["grades"]) for c in given)


def test_rebalance_reads_standard_input():
    text = (EXAMPLES / "seed-rebalance.json").read_text()
    status, answer, _ = run("rebalance", "-", stdin=text)
    assert status == 0
    assert answer["metrics"]["balance"] == 1


def test_staffing_default_range():
    # 4 teachers cannot hold 110 children in classes of 25; with every class at its
    # minimum of 15 the grades make 2 + 3 + 1 = 6 classes: rows for 5 and 6 teachers.
    status, answer, _ = run("staffing", "examples/seed-k-1-2.json")
    assert status == 0
    assert [row["teachers"] for row in answer["rows"]] == [5, 6]
    assert all(row["status"] == "optimal" for row in answer["rows"])
    assert answer["rows"][0]["metrics"] == {"classes": 5, "composites": 1, "balance": 1}
    assert answer["rows"][1]["average_size"] == pytest.approx(110 / 6, abs=0.05)


def test_staffing_from_to():
    status, answer, _ = run("staffing", "-", "--from", "3", "--to", "6", stdin=json.dumps(K12))
    assert status == 0
    rows = answer["rows"]
    assert [row["teachers"] for row in rows] == [3, 4, 5, 6]
    assert [row["status"] for row in rows] == ["infeasible", "infeasible", "optimal", "optimal"]
    assert "metrics" not in rows[0]


def test_bundled_examples_all_solve():
    for path in sorted(p for p in EXAMPLES.glob("*.json") if not p.name.startswith("placement")):
        status, answer, _ = run("solve", str(path))
        assert status == 0 and answer["status"] == "optimal", path.name


@pytest.mark.parametrize(
    ("args", "stdin", "field"),
    [
        (["solve", "no/such/file.json"], None, "file"),
        (["solve", "-"], "{not json", "file"),
        (["solve", "-"], "", "file"),
        (["solve", "-"], "[1, 2]", ""),
        (["solve", "-"], json.dumps(K12 | {"teachers": -1}), "teachers"),
        (["rebalance", "-"], json.dumps(K12), "classes"),
        (["staffing", "-"], json.dumps(K12 | {"grades": []}), "grades"),
        (["solve"], None, "arguments"),
        ([], None, "arguments"),
        (["frobnicate", "x.json"], None, "arguments"),
        (["solve", "x.json", "--alternatives", "-1"], None, "arguments"),
        (["solve", "x.json", "--time-limit", "0"], None, "arguments"),
        (["solve", "x.json", "--colour"], None, "arguments"),
        (["staffing", "-", "--from", "6", "--to", "3"], json.dumps(K12), "--to"),
    ],
)
def test_invalid_input_exits_2(args, stdin, field):
    status, answer, _ = run(*args, stdin=stdin)
    assert status == 2
    assert field in fields(answer)


def test_help_exits_0():
    done = subprocess.run([str(CRUNCH), "--help"], capture_output=True, timeout=60)
    assert done.returncode == 0
    assert b"solve" in done.stdout and b"staffing" in done.stdout


def test_usage_errors_also_show_usage():
    status, _, err = run("solve", "x.json", "--alternatives", "many")
    assert status == 2
    assert "usage: crunch solve" in err


# ------------------------------------------------------------ in-process: invalid scenarios


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"teachers": None}, "teachers"),
        ({"teachers": 0}, "teachers"),
        ({"grades": [grade("K", -4), grade("1", 20)]}, "grades[0].students"),
        ({"grades": [grade("K", 30, 20, 10)]}, "grades[0].max_size"),
        ({"grades": [grade("K", 30), grade("K", 20)]}, "grades[1].name"),
        (
            {"grades": [grade("K", 30), {"students": 3, "min_size": 1, "max_size": 2}]},
            "grades[1].name",
        ),
        ({"composites": [{"grades": ["K", "7"]}]}, "composites[0].grades"),
        ({"composites": [{"grades": ["K"]}]}, "composites[0].grades"),
        ({"priorities": ["classes"]}, "priorities"),
        ({"min_subclass_size": -1}, "min_subclass_size"),
    ],
)
def test_invalid_scenarios(tmp_path, capsys, monkeypatch, change, field):
    obj = {k: v for k, v in (K12 | change).items() if v is not None}
    path = write(tmp_path, obj)
    for command in ("solve", "rebalance", "staffing"):
        status, answer = call([command, path], capsys, monkeypatch)
        assert status == 2
        assert field in fields(answer), answer


def test_every_error_is_listed(tmp_path, capsys, monkeypatch):
    obj = K12 | {"teachers": 0, "grades": [grade("K", -1), grade("K", 3, 9, 2)]}
    status, answer = call(["solve", write(tmp_path, obj)], capsys, monkeypatch)
    assert status == 2
    assert {"teachers", "grades[0].students", "grades[1].name"} <= set(fields(answer))


def test_not_utf8(tmp_path, capsys, monkeypatch):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "École"}'.encode("latin-1"))
    status, answer = call(["solve", str(path)], capsys, monkeypatch)
    assert status == 2 and fields(answer) == ["file"]


def test_a_directory_is_not_a_file(tmp_path, capsys, monkeypatch):
    status, answer = call(["solve", str(tmp_path)], capsys, monkeypatch)
    assert status == 2 and fields(answer) == ["file"]


def test_deeply_nested_json(capsys, monkeypatch):
    status, answer = call(["solve", "-"], capsys, monkeypatch, stdin="[" * 100_000)
    assert status == 2 and fields(answer) == ["file"]


def test_utf8_with_byte_order_mark(capsys, monkeypatch):
    status, answer = call(
        ["solve", "-"], capsys, monkeypatch, stdin=b"\xef\xbb\xbf" + json.dumps(K12).encode()
    )
    assert status == 0 and answer["status"] == "optimal"


@pytest.mark.parametrize(
    "args",
    [
        ["--time-limit", "nan"],
        ["--time-limit", "-1"],
        ["--time-limit", "soon"],
        ["--alternatives", "2.5"],
        ["--alternatives", "1000"],
    ],
)
def test_bad_solve_options(tmp_path, capsys, monkeypatch, args):
    status, answer = call(["solve", write(tmp_path, K12), *args], capsys, monkeypatch)
    assert status == 2 and fields(answer) == ["arguments"]


@pytest.mark.parametrize("args", [["--from", "0"], ["--to", "x"], ["--from", "1001"]])
def test_bad_staffing_options(tmp_path, capsys, monkeypatch, args):
    status, answer = call(["staffing", write(tmp_path, K12), *args], capsys, monkeypatch)
    assert status == 2 and fields(answer) == ["arguments"]


def test_rebalance_of_classes_that_do_not_add_up(tmp_path, capsys, monkeypatch):
    obj = K12 | {"classes": [{"grades": {"K": 20}}]}
    status, answer = call(["rebalance", write(tmp_path, obj)], capsys, monkeypatch)
    assert status == 2 and set(fields(answer)) == {"classes"}


def test_a_solver_failure_is_reported_without_a_traceback(tmp_path, capsys, monkeypatch):
    from crunch import solver

    def broken(*args, **kwargs):
        raise RuntimeError("the model fell over")

    monkeypatch.setattr(solver, "solve", broken)
    status, answer = call(["solve", write(tmp_path, K12)], capsys, monkeypatch)
    assert status == 1
    assert answer["status"] == "error"
    assert "the model fell over" in answer["errors"][0]["message"]


@pytest.fixture
def solve_options(monkeypatch) -> dict:
    """The options the command gives `solver.solve` (it still solves)."""
    from crunch import solver

    seen = {}
    real = solver.solve

    def spy(scenario, **kwargs):
        seen.update(kwargs)
        return real(scenario, **kwargs)

    monkeypatch.setattr(solver, "solve", spy)
    return seen


def test_time_limit_reaches_the_solver(tmp_path, capsys, monkeypatch, solve_options):
    status, _ = call(
        ["solve", write(tmp_path, K12), "--time-limit", "2.5", "--alternatives", "1"],
        capsys,
        monkeypatch,
    )
    assert status == 0
    assert solve_options == {"time_limit": 2.5, "alternatives": 1, "max_size_step": None}


def test_max_size_step_reaches_the_solver(tmp_path, capsys, monkeypatch, solve_options):
    status, _ = call(["solve", write(tmp_path, K12), "--max-size-step", "2"], capsys, monkeypatch)
    assert status == 0
    assert solve_options["max_size_step"] == 2
    status, _ = call(["solve", write(tmp_path, K12), "--max-size-step", "-1"], capsys, monkeypatch)
    assert status == 2


# A solve (or a staffing row) that never returns, as a solver hung inside the MIP
# library does: the command must still end, with a message and exit status 3.
HANGING = (
    "import sys, threading\n"
    "import crunch.solver as solver\n"
    "solver.{name} = lambda *args, **kwargs: threading.Event().wait()\n"
    "from crunch.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.mark.parametrize(
    ("name", "command"),
    [("solve", ["solve"]), ("staffing", ["staffing", "--from", "2", "--to", "3"])],
)
def test_a_hung_solver_is_stopped_by_the_watchdog(name, command):
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            HANGING.format(name=name),
            *command,
            str(EXAMPLES / "hillside.json"),
            "--time-limit",
            "0.3",
        ],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == cli.EXIT_LATE
    answer = json.loads(done.stdout)
    assert answer["status"] == "error"
    assert "did not answer within its time limit (0.3 s)" in answer["errors"][0]["message"]
    assert b"Traceback" not in done.stderr


def test_the_watchdog_is_disarmed_once_the_answer_is_in(tmp_path, capsys, monkeypatch):
    fired = []
    watchdog = cli.Watchdog(expire=fired.append)
    args = cli.build_parser().parse_args(["solve", write(tmp_path, K12), "--time-limit", "0.2"])
    cli.run(args, watchdog)
    assert watchdog._timer is not None  # armed for the solve
    watchdog.disarm()
    assert watchdog._timer is None and fired == []
    monkeypatch.setattr(cli, "WATCHDOG_MARGIN", 0.0)
    watchdog.arm(0.01)
    wait_until = time.monotonic() + 30
    while not fired and time.monotonic() < wait_until:
        time.sleep(0.01)
    assert fired == [0.01]


# ------------------------------------------------------------ any JSON: an answer or exit 2

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
PLACES = [
    ("teachers",),
    ("min_subclass_size",),
    ("grades",),
    ("grades", 0),
    ("grades", 1, "name"),
    ("grades", 1, "students"),
    ("grades", 2, "min_size"),
    ("grades", 2, "max_size"),
    ("composites",),
    ("composites", 0),
    ("composites", 0, "grades"),
    ("composites", 0, "max_size"),
    ("locked",),
    ("priorities",),
    ("classes",),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PLACES), json_values, st.sampled_from(["solve", "rebalance", "staffing"]))
def test_any_json_in_any_field_is_answered_or_refused(tmp_path_factory, place, value, command):
    obj = json.loads(json.dumps(K12))
    target = obj
    for key in place[:-1]:
        target = target[key]
    target[place[-1]] = value
    path = tmp_path_factory.mktemp("fuzz") / "scenario.json"
    path.write_text(json.dumps(obj))
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli.main([command, str(path), "--time-limit", "2"])
    answer = json.loads(out.getvalue())
    assert status in (0, 2), answer
    if status == 2:
        assert answer["status"] == "invalid" and answer["errors"]
