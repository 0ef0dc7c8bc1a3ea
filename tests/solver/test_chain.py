"""The chain's dynamic programme against the MIP on the same scenarios."""

from __future__ import annotations

import time
from unittest import mock

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crunch.solver import Status, parse_scenario, solve
from crunch.solver import chain as chain_module
from crunch.solver.chain import applies, solve_chain
from tests.conftest import grade

from .against_mip import assert_agrees_with_mip, mip_outcome
from .strategies import medium_scenarios

MEDIUM = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@MEDIUM
@given(medium_scenarios(), st.booleans())
def test_the_chain_finds_the_mips_optimum(obj, few_composites_first):
    # few_composites_first: skip the run with any number of composites, so the runs
    # with at most 1, 3, 7, ... composites decide, and must prove their answer
    scenario = parse_scenario(obj)
    assume(applies(scenario))
    budget = 0 if few_composites_first else chain_module.FIRST_BUDGET
    with mock.patch.object(chain_module, "FIRST_BUDGET", budget):
        answer = solve_chain(scenario, deadline=time.perf_counter() + 20)
    assert answer is not None
    mip = mip_outcome(scenario, 20)
    assume(mip.status in (Status.OPTIMAL, Status.INFEASIBLE))
    assert_agrees_with_mip(scenario, answer, mip)


def test_only_chains_of_neighbouring_pairs_apply():
    base = {
        "teachers": 4,
        "grades": [grade("K", 30, 10, 25), grade("1", 30, 10, 25), grade("2", 30, 10, 25)],
    }
    assert applies(parse_scenario({**base, "composites": [{"grades": ["K", "1"]}]}))
    assert applies(parse_scenario(base))
    assert not applies(parse_scenario({**base, "composites": [{"grades": ["K", "2"]}]}))
    assert not applies(parse_scenario({**base, "composites": [{"grades": ["K", "1", "2"]}]}))
    assert not applies(parse_scenario({**base, "locked": [{"grades": {"K": 20}}]}))
    # a composite of a grade with no children cannot be opened: it is no obstacle
    empty = {**base, "grades": [*base["grades"][:2], grade("2", 0, 10, 25)]}
    assert applies(parse_scenario({**empty, "composites": [{"grades": ["K", "2"]}]}))


def test_a_chain_too_big_to_hold_is_left_to_the_mip(monkeypatch):
    scenario = parse_scenario(
        {
            "teachers": 5,
            "grades": [grade("K", 40, 10, 25), grade("1", 45, 10, 25), grade("2", 30, 10, 25)],
            "composites": [{"grades": ["K", "1"]}, {"grades": ["1", "2"]}],
        }
    )
    expected = solve(scenario).allocation.metrics
    monkeypatch.setattr(chain_module, "MAX_STATES", 1)
    assert solve_chain(scenario, deadline=time.perf_counter() + 10) is None
    answer = solve(scenario)
    assert answer.status is Status.OPTIMAL
    assert answer.allocation.metrics == expected


def test_no_allocation_is_proved_infeasible():
    # 50 children, classes of at most 20, two teachers and no composite
    scenario = parse_scenario({"teachers": 2, "grades": [grade("1", 50, 10, 20)]})
    answer = solve_chain(scenario, deadline=time.perf_counter() + 10)
    assert answer is not None and not answer.feasible
    assert solve(scenario, diagnose=False).status is Status.INFEASIBLE
