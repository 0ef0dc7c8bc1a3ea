"""The class allocation solver: pure Python and python-mip, no web or database code.

Public surface:
    parse_scenario(obj) -> Scenario            (raises InvalidScenario)
    parse_allocation(obj, scenario) -> list[ClassSpec]
    solve(scenario, *, time_limit, alternatives) -> Solution
    Solution.from_dict(obj) -> Solution        (raises MalformedSolution), and to_dict
    rebalance(scenario, classes, *, time_limit) -> Solution
    staffing(scenario, first, last, *, time_limit) -> list[StaffingRow]
"""

from .data import (
    PRIORITIES,
    ClassSpec,
    Composite,
    FieldError,
    Grade,
    InvalidScenario,
    Kind,
    Scenario,
    parse_allocation,
    parse_scenario,
    scenario_to_dict,
)
from .rebalance import rebalance
from .solution import (
    Allocation,
    Class,
    MalformedSolution,
    Metrics,
    Solution,
    Status,
    Suggestion,
    metrics_of,
)
from .solve import solve
from .staffing import StaffingRow, staffing

__all__ = [
    "PRIORITIES",
    "Allocation",
    "Class",
    "ClassSpec",
    "Composite",
    "FieldError",
    "Grade",
    "InvalidScenario",
    "Kind",
    "MalformedSolution",
    "Metrics",
    "Scenario",
    "Solution",
    "StaffingRow",
    "Status",
    "Suggestion",
    "metrics_of",
    "parse_allocation",
    "parse_scenario",
    "rebalance",
    "scenario_to_dict",
    "solve",
    "staffing",
]
