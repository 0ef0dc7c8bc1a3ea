"""The `crunch` command: solve, rebalance and staffing on scenario files (docs/scenario.md),
and place on class-list files (docs/placement.md).

Every outcome is JSON on standard output. Exit status 0 for any answer (optimal,
feasible, infeasible, timeout), 2 for invalid input (bad options, an unreadable
file, text that is not JSON, a scenario that breaks the format). A failure inside
the solver prints a JSON error and exits 1: never a traceback. A solver that has
not answered WATCHDOG_MARGIN seconds after its time limit (it hung inside the MIP
library, say) is not waited for: a watchdog prints a JSON error and ends the
process with exit status 3.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, NoReturn

EXIT_ANSWER = 0
EXIT_ERROR = 1
EXIT_INVALID = 2
EXIT_LATE = 3

# Seconds past the time limit before the watchdog ends the command: the solver itself
# overruns its limit by well under a second while it winds down.
WATCHDOG_MARGIN = 2.0
LATE_MESSAGE = (
    "The solver did not answer within its time limit ({limit:g} s) and {margin:g} s more, "
    "so the command stopped it. Try again; if it happens again, please report the file."
)

MAX_ALTERNATIVES = 50
MAX_TIME_LIMIT = 3600.0
MAX_TEACHERS = 1_000  # the spec's limit; --from/--to beyond it are invalid


class InvalidInput(Exception):
    """Input the command refuses: carries the spec's field-level errors."""

    def __init__(self, errors: list[dict[str, str]]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInput:
        return cls([{"field": field, "message": message}])


class Watchdog:
    """Ends the process if the solver does not answer in time.

    `arm(seconds)` (re)starts the countdown; `disarm()` stops it. Expiring calls
    `expire(limit)`, which by default prints the JSON error and exits at once: the
    main thread may be stuck in C code that nothing else can interrupt.
    """

    def __init__(self, expire=None) -> None:
        self._expire = expire or _exit_late
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def arm(self, seconds: float, limit: float | None = None) -> None:
        """Expire in `seconds` + WATCHDOG_MARGIN, naming `limit` (default `seconds`)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            named = seconds if limit is None else limit
            self._timer = threading.Timer(seconds + WATCHDOG_MARGIN, self._expire, (named,))
            self._timer.daemon = True
            self._timer.start()

    def disarm(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


def _exit_late(limit: float) -> None:
    answer = {
        "status": "error",
        "errors": [
            {"field": "", "message": LATE_MESSAGE.format(limit=limit, margin=WATCHDOG_MARGIN)}
        ],
    }
    # os.write: the main thread is stuck, possibly holding sys.stdout's lock
    os.write(1, (json.dumps(answer, indent=2) + "\n").encode())
    os._exit(EXIT_LATE)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error raises instead of printing and exiting."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise InvalidInput.one("arguments", f"{message[:1].upper()}{message[1:]}.")


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_TIME_LIMIT:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_TIME_LIMIT:g}")
    return value


def _whole(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    parse.__name__ = "whole number"
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="crunch",
        description="Plan a school's classes. Prints JSON: exit 0 for an answer, 2 if invalid.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    file_help = "scenario JSON file, or - for standard input"

    solve = commands.add_parser("solve", help="the best allocation of classes")
    solve.add_argument("file", metavar="FILE.json", help=file_help)
    solve.add_argument(
        "--alternatives",
        type=_whole(0, MAX_ALTERNATIVES),
        default=0,
        metavar="N",
        help="also list up to N allocations of another structure, best first",
    )
    solve.add_argument("--time-limit", type=_positive_seconds, default=10.0, metavar="SECONDS")
    solve.add_argument(
        "--max-size-step",
        type=_whole(0, 10_000),
        default=None,
        metavar="N",
        help="when infeasible, suggest moving a class size limit by at most N children "
        "(default: the solver's, see docs/scenario.md)",
    )

    rebalance = commands.add_parser(
        "rebalance", help="keep the kinds of classes in the file's `classes`, even out sizes"
    )
    rebalance.add_argument("file", metavar="FILE.json", help=file_help)
    rebalance.add_argument("--time-limit", type=_positive_seconds, default=10.0, metavar="SECONDS")

    staffing = commands.add_parser("staffing", help="the best metrics for each number of teachers")
    staffing.add_argument("file", metavar="FILE.json", help=file_help)
    staffing.add_argument("--from", dest="first", type=_whole(1, MAX_TEACHERS), metavar="N")
    staffing.add_argument("--to", dest="last", type=_whole(1, MAX_TEACHERS), metavar="M")
    staffing.add_argument(
        "--time-limit", type=_positive_seconds, default=None, metavar="SECONDS", help="per solve"
    )

    place = commands.add_parser(
        "place", help="which children sit in which class (a placement file, or a scenario)"
    )
    place.add_argument(
        "file", metavar="FILE.json", help="placement JSON file, or - for standard input"
    )
    place.add_argument("--time-limit", type=_positive_seconds, default=10.0, metavar="SECONDS")
    return parser


def read_json(path: str) -> Any:
    """The decoded JSON of a file (or of standard input for `-`), or InvalidInput."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
    except OSError as e:
        raise InvalidInput.one("file", f"Cannot read {path}: {e.strerror or e}.") from None
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput.one("file", "The file is not UTF-8 text.") from None
    except json.JSONDecodeError as e:
        raise InvalidInput.one(
            "file", f"Not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})."
        ) from None
    except RecursionError:
        raise InvalidInput.one("file", "The JSON is nested too deeply.") from None


def _scenario(obj: Any):
    from crunch.solver import InvalidScenario, parse_scenario

    try:
        return parse_scenario(obj)
    except InvalidScenario as e:
        raise InvalidInput(e.to_dict()["errors"]) from None


def run(args: argparse.Namespace, watchdog: Watchdog | None = None) -> dict[str, Any]:
    """Carry out one parsed command and return the JSON answer; `watchdog`, if given,
    is armed for the time each solve may take."""
    from crunch import solver

    watchdog = watchdog or Watchdog(expire=lambda _limit: None)
    obj = read_json(args.file)
    if args.command != "staffing":
        watchdog.arm(args.time_limit)
    if args.command == "place":
        return _place(obj, args.time_limit)
    scenario = _scenario(obj)
    if args.command == "solve":
        answer = solver.solve(
            scenario,
            time_limit=args.time_limit,
            alternatives=args.alternatives,
            max_size_step=args.max_size_step,
        )
        return answer.to_dict()
    if args.command == "rebalance":
        try:
            classes = solver.parse_allocation(obj, scenario)
        except solver.InvalidScenario as e:
            raise InvalidInput(e.to_dict()["errors"]) from None
        return solver.rebalance(scenario, classes, time_limit=args.time_limit).to_dict()
    # staffing
    if args.first is not None and args.last is not None and args.first > args.last:
        raise InvalidInput.one("--to", f"--to ({args.last}) is below --from ({args.first}).")
    from crunch.solver.staffing import ROW_TIME_LIMIT

    per_solve = ROW_TIME_LIMIT if args.time_limit is None else args.time_limit
    # Each row is one solve, and the range, when not given, two more: the watchdog is
    # armed for the first row and those two, then again for each row as one arrives.
    watchdog.arm(3 * per_solve, per_solve)
    rows = solver.staffing(
        scenario,
        args.first,
        args.last,
        time_limit=per_solve,
        on_row=lambda _rows: watchdog.arm(per_solve, per_solve),
    )
    return {"rows": [row.to_dict() for row in rows]}


def _place(obj: Any, time_limit: float) -> dict[str, Any]:
    """Place children into a plan's classes; given a scenario instead, plan it first (with
    at most half the time: the rest is the placement's)."""
    from crunch.solver import InvalidScenario, solve
    from crunch.solver.placement import parse_placement, place, plan_then_place_input

    started = time.perf_counter()
    if isinstance(obj, dict) and "classes" not in obj:
        scenario_part, rest = plan_then_place_input(obj)
        solution = solve(_scenario(scenario_part), time_limit=time_limit / 2)
        if solution.allocation is None:
            return {
                "status": str(solution.status),
                "classes": [],
                "placement": {},
                "metrics": None,
                "unmet": {"friends": []},
                "diagnosis": ["No plan of classes fits the scenario.", *solution.diagnosis],
                "solve_seconds": round(solution.solve_seconds, 3),
            }
        classes = [
            {"label": str(i), "grades": dict(c.grades)}
            for i, c in enumerate(solution.allocation.classes, start=1)
        ]
        obj = {**rest, "classes": classes}
    try:
        placement_input = parse_placement(obj)
    except InvalidScenario as e:
        raise InvalidInput(e.to_dict()["errors"]) from None
    left = max(time_limit - (time.perf_counter() - started), 0.1)
    answer = place(placement_input, time_limit=left).to_dict()
    answer["solve_seconds"] = round(time.perf_counter() - started, 3)
    return answer


def _print(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `crunch` console script; returns the exit status."""
    watchdog = Watchdog()
    try:
        args = build_parser().parse_args(argv)
        answer = run(args, watchdog)
        watchdog.disarm()
        _print(answer)
        return EXIT_ANSWER
    except InvalidInput as e:
        _print({"status": "invalid", "errors": e.errors})
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as e:  # a solver failure is reported, never shown as a traceback
        _print(
            {
                "status": "error",
                "errors": [{"field": "", "message": f"Internal error: {type(e).__name__}: {e}"}],
            }
        )
        return EXIT_ERROR
    finally:
        watchdog.disarm()


if __name__ == "__main__":
    sys.exit(main())
