"""Class lists: which children sit in which of the plan's classes (docs/placement.md).

Public surface:
    parse_placement(obj) -> PlacementInput            (raises InvalidScenario)
    place(input, *, time_limit, on_progress) -> Placement
    placement_metrics(input, placement) -> PlacementMetrics   (any placement, no solve)
    broken_rules(input, placement) -> list[BrokenRule]        (the hard rules it breaks)
"""

from .data import (
    OPTIONAL_PRIORITIES,
    PRIORITIES,
    Child,
    PlacementInput,
    PlanClass,
    parse_placement,
    plan_then_place_input,
)
from .metrics import METRICS, BrokenRule, PlacementMetrics, broken_rules, placement_metrics
from .solve import Placement, place

__all__ = [
    "METRICS",
    "OPTIONAL_PRIORITIES",
    "PRIORITIES",
    "BrokenRule",
    "Child",
    "Placement",
    "PlacementInput",
    "PlacementMetrics",
    "PlanClass",
    "broken_rules",
    "parse_placement",
    "place",
    "placement_metrics",
    "plan_then_place_input",
]
