"""The board's draft and words, without the web app: any sequence of moves, undos and
redos keeps an assignment whose metrics equal a recomputation from scratch (replaying
the undo stack from the start), and undoing everything restores the start."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crunch.class_lists import board
from crunch.rosters import demo as demo_roster
from crunch.solver.placement import broken_rules, placement_metrics

ALLOCATION = {
    "classes": [
        {"grades": {"K": 10}, "label": "Ms Lee"},
        {"grades": {"K": 6, "1": 5}},
        {"grades": {"1": 11}},
    ]
}
CLASSES = board.board_classes(ALLOCATION)
CHILDREN = demo_roster.children(demo_roster.grade_totals(ALLOCATION), seed=3)
PROBLEM = board.placement_input(CLASSES, CHILDREN)
IDS = [c["id"] for c in CHILDREN]
LABELS = [c.label for c in CLASSES]
START = {kid["id"]: ("Class 1" if kid["grade"] == "K" else "Class 3") for kid in CHILDREN}

steps = st.lists(
    st.one_of(
        st.tuples(st.just("move"), st.sampled_from(IDS), st.sampled_from(LABELS)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
    ),
    max_size=40,
)


@settings(deadline=None, max_examples=60)
@given(steps)
def test_any_sequence_of_moves_keeps_metrics_equal_to_a_recomputation(sequence):
    draft = board.Draft(dict(START))
    for step in sequence:
        if step[0] == "move":
            draft = draft.moved(step[1], step[2])
        elif step[0] == "undo":
            draft = draft.undone()
        else:
            draft = draft.redone()
        # the draft survives the form's round trip unchanged
        assert board.Draft.from_json(draft.to_json(), PROBLEM) == draft
    replayed = dict(START)
    for child, _, after in draft.undo:
        replayed[child] = after
    assert draft.assignment == replayed
    assert placement_metrics(PROBLEM, draft.assignment) == placement_metrics(PROBLEM, replayed)
    assert broken_rules(PROBLEM, draft.assignment) == broken_rules(PROBLEM, replayed)
    while draft.undo:
        draft = draft.undone()
    assert draft.assignment == START


def test_the_plans_labels_and_teachers():
    assert [c.title for c in CLASSES] == ["Class 1 (Ms Lee)", "Class 2", "Class 3"]


def test_a_child_fixed_by_teacher_name_is_fixed_in_that_class():
    kids = [dict(k) for k in CHILDREN]
    kids[0]["class"] = "Ms Lee"
    kids[1]["not_classes"] = ["Class 2", "Nowhere"]
    problem = board.placement_input(CLASSES, kids)
    assert problem.child(kids[0]["id"]).fixed == "Class 1"
    assert problem.child(kids[1]["id"]).not_classes == ("Class 2",)


def test_moving_a_child_away_from_their_friends_is_said_in_words():
    kid = next(k for k in CHILDREN if k["grade"] == "K" and k["friends"])
    after = {**START, kid["id"]: "Class 2"}
    lines = board.consequences(PROBLEM, START, after, kid["id"])
    girls, boys = board.genders(PROBLEM, after, "Class 2")
    assert f"Class 2 now has {girls} girls and {boys} boys." in lines
    assert any(line.startswith(kid["name"]) and "friends" in line for line in lines)
    assert any("has 1 children of grade K; the plan has 6." in line for line in lines)


def test_blind_codes_hide_names_in_the_words_too():
    kids = [dict(k) for k in CHILDREN]
    kid, other = kids[0], kids[1]["id"]
    kid["apart"] = [other]
    blind = board.placement_input(CLASSES, kids, blind=True)
    together = {**START, kid["id"]: "Class 1", other: "Class 1"}
    words = " ".join(r.text for r in broken_rules(blind, together))
    assert kid["name"] not in words
    assert board.codes(kids)[kid["id"]] in words
    assert "must be apart" in words


def test_a_roster_that_does_not_fit_the_plan_is_drawn_with_its_reasons():
    drawn = board.draw(ALLOCATION, CHILDREN, blind=False)
    assert drawn.problem is not None and drawn.invalid == []
    assert drawn.names[IDS[0]] == CHILDREN[0]["name"]
    assert board.draw(ALLOCATION, CHILDREN, blind=True).names[IDS[0]] == "Child 001"
    misfit = board.draw(ALLOCATION, [{**CHILDREN[0], "grade": "5"}], blind=False)
    assert misfit.problem is None and misfit.invalid


def test_an_edit_refuses_what_the_board_does_not_have():
    draft = board.Draft(dict(START))
    for verb, target, to in [
        ("move", "nobody", "Class 1"),
        ("fix", "nobody", ""),
        ("send", "nobody@Class 1", ""),
    ]:
        refused = board.edit(PROBLEM, draft, verb, target, to)
        assert (refused.draft, refused.errors, refused.status) == (draft, [board.NO_CHILD], 422)
    for verb, target, to in [("move", IDS[0], "Class 9"), ("send", f"{IDS[0]}@", "")]:
        refused = board.edit(PROBLEM, draft, verb, target, to)
        assert (refused.draft, refused.errors, refused.status) == (draft, [board.NO_CLASS], 422)


def test_edits_move_send_fix_undo_and_redo():
    kid = IDS[0]
    moved = board.edit(PROBLEM, board.Draft(dict(START)), "move", kid, "Class 2")
    assert moved.draft.assignment[kid] == "Class 2" and moved.status == 200
    assert any("Class 2 now has" in line for line in moved.lines)
    unplaced = board.edit(PROBLEM, moved.draft, "move", kid, "")
    assert kid not in unplaced.draft.assignment
    sent = board.edit(PROBLEM, moved.draft, "send", f"{kid}@Class 1")
    assert sent.draft.assignment[kid] == "Class 1"
    fixed = board.edit(PROBLEM, sent.draft, "fix", kid)
    assert fixed.draft.fixed == (kid,) and fixed.lines == []
    undone = board.edit(PROBLEM, fixed.draft, "undo", "")
    assert undone.draft.assignment[kid] == "Class 2" and undone.lines
    redone = board.edit(PROBLEM, undone.draft, "redo", "")
    assert redone.draft.assignment[kid] == "Class 1"
    nothing = board.edit(PROBLEM, board.Draft(dict(START)), "undo", "")
    assert nothing.draft.assignment == START and nothing.lines == []


def test_what_the_board_shows_of_a_draft():
    drawn = board.draw(ALLOCATION, CHILDREN, blind=False)
    empty = board.shown(drawn, board.Draft())
    assert [len(empty["cards"][label]) for label in [*LABELS, ""]] == [0, 0, 0, len(CHILDREN)]
    assert empty["metrics"] is None and empty["broken"] == [] and empty["count_broken"]
    assert empty["menus"]["Class 2"].count("<option selected>Class 2</option>") == 1
    assert empty["menus"][""].count("selected") == 0
    # Exact counts, then one K too many in Class 2: the swap that mends it is offered.
    ks = [k["id"] for k in CHILDREN if k["grade"] == "K"]
    ones = [k["id"] for k in CHILDREN if k["grade"] == "1"]
    exact = dict.fromkeys(ks[:10], "Class 1") | dict.fromkeys(ks[10:] + ones[:5], "Class 2")
    exact |= dict.fromkeys(ones[5:], "Class 3")
    assert board.shown(drawn, board.Draft(exact))["count_broken"] == []
    kid = ks[0]
    draft = board.Draft(exact).moved(kid, "Class 2")
    after = board.shown(drawn, draft)
    assert kid in {k["id"] for k in after["cards"]["Class 2"]}
    assert after["metrics"] is not None and after["broken"]
    swap_child, swap_to = after["swap"]
    assert swap_to == "Class 1" and swap_child != kid
