"""A fast local search that improves a valid placement of one part, lexicographically.

The MIP proves; this finds. Most optimal class lists score 0 on most metrics, and
HiGHS's own heuristics take seconds to find such a list where a few thousand swaps
find it in a fraction of one. Handing the MIP a good incumbent lets it prove each
stage at the root when the bound meets it, and start from something good otherwise.

Moves are swaps of two children of one grade between two classes, so every class keeps
its exact counts. A swap that breaks a hard rule is never made; otherwise it is
annealed on a weighted cost in which each priority outweighs the later ones: kept when
the cost does not rise (equal ones half the time, to cross plateaus), and when it does
with a chance that falls as the search cools. The best placement seen, compared in
priority order, is the answer. Children bound by `together` stay where the valid
placement put them. Each swap's effect is computed from what it touches only, so a
second holds tens of thousands.
"""

from __future__ import annotations

import math
import random
import time

from .data import PlacementInput
from .metrics import band, excess
from .model import Part

METRIC_INDEX = {"friends": 0, "needs": 1, "mix": 2, "scores": 3, "composite_fit": 4}


class LocalSearch:
    """The search over one part, from a valid placement (`run` returns the best found)."""

    def __init__(
        self,
        placement_input: PlacementInput,
        part: Part,
        allowed: dict[str, list[str]],
        placement: dict[str, str],
        *,
        seed: int = 0,
    ):
        self.rng = random.Random(seed)
        self.temperature = 0.0
        self.order = [METRIC_INDEX[p] for p in placement_input.priorities]
        children = list(part.children)
        self.ids = [c.id for c in children]
        index = {c.id: i for i, c in enumerate(children)}
        labels = [c.label for c in part.classes]
        self.labels = labels
        label_index = {label: k for k, label in enumerate(labels)}
        self.composite = [c.composite for c in part.classes]
        self.cls = [label_index[placement[c.id]] for c in children]
        self.allowed = [{label_index[label] for label in allowed[c.id]} for c in children]
        self.fit = [c.composite is not True for c in children]
        bound = {a for c in children for a in c.together} | {c.id for c in children if c.together}
        self.movable = [
            c.id not in bound and len(self.allowed[i]) > 1 for i, c in enumerate(children)
        ]
        self.apart = [[] for _ in children]
        for a, b in placement_input.apart_pairs():
            if a in index and b in index:
                self.apart[index[a]].append(index[b])
                self.apart[index[b]].append(index[a])
        # friends
        self.asks = [[index[f] for f in c.friends if f in index] for c in children]
        self.need = [placement_input.friends_needed_by(c) for c in children]
        self.askers: list[list[int]] = [[] for _ in children]
        for i, asks in enumerate(self.asks):
            for j in asks:
                self.askers[j].append(i)
        # by grade: members, groups (tags -> needs, categories -> mix), scores
        self.grade_of = [c.grade for c in children]
        self.by_grade: dict[str, list[int]] = {}
        for i, c in enumerate(children):
            self.by_grade.setdefault(c.grade, []).append(i)
        self.groups: list[list[tuple[int, int]]] = [[] for _ in children]  # (group, metric)
        self.group_band: list[dict[int, tuple[int, int]]] = []
        self.group_count: list[list[int]] = []
        keys: dict[tuple[str, str], int] = {}
        for i, c in enumerate(children):
            for key, metric in [((c.grade, "t:" + t), 1) for t in c.tags] + [
                ((c.grade, f"c:{n}={v}"), 2) for n, v in c.categories
            ]:
                if key not in keys:
                    keys[key] = len(keys)
                    self.group_count.append([0] * len(labels))
                    self.group_band.append({})
                self.groups[i].append((keys[key], metric))
        sizes = [0] * len(keys)
        for gs in self.groups:
            for g, _ in gs:
                sizes[g] += 1
        grade_size = {g: len(m) for g, m in self.by_grade.items()}
        for (grade, _), g in keys.items():
            for k, plan_class in enumerate(part.classes):
                self.group_band[g][k] = band(sizes[g], plan_class.count(grade), grade_size[grade])
        # per grade: (score name, each child's value, each class's total, each class's band)
        self.scores: dict[str, list[tuple[str, list[int], list[int], dict[int, tuple]]]] = {}
        for grade, members in self.by_grade.items():
            names = sorted({n for i in members for n, _ in children[i].scores})
            entries = []
            for name in names:
                values = [0] * len(children)
                for i in members:
                    values[i] = children[i].score(name)
                total = sum(values[i] for i in members)
                widest = max(values[i] for i in members)
                bands = {}
                for k, plan_class in enumerate(part.classes):
                    low, high = band(total, plan_class.count(grade), len(members))
                    bands[k] = (low - widest, high + widest)
                entries.append((name, values, [0] * len(labels), bands))
            self.scores[grade] = entries
        for i, k in enumerate(self.cls):
            for g, _ in self.groups[i]:
                self.group_count[g][k] += 1
            for _, values, totals, _ in self.scores[self.grade_of[i]]:
                totals[k] += values[i]
        self.same = [0] * len(children)  # friends in the same class
        for i in range(len(children)):
            self.same[i] = sum(1 for j in self.asks[i] if self.cls[j] == self.cls[i])
        self.totals = self._count_totals()
        # a scalar cost for annealing: each priority outweighs the sum of all later ones
        # within the reach of one swap (a swap moves any metric by a few units)
        self.weights = [0] * 5
        for rank, m in enumerate(self.order):
            self.weights[m] = 6 ** (len(self.order) - 1 - rank)
        self.hottest = float(max(self.weights)) / 4

    def _count_totals(self) -> list[int]:
        totals = [0, 0, 0, 0, 0]
        totals[0] = sum(self._unmet(i) for i in range(len(self.ids)))
        metric_of = {g: m for gs in self.groups for g, m in gs}
        for g, counts in enumerate(self.group_count):
            for k, count in enumerate(counts):
                if k in self.group_band[g]:
                    totals[metric_of[g]] += excess(count, *self.group_band[g][k])
        for entries in self.scores.values():
            for _, _, class_totals, bands in entries:
                for k, low_high in bands.items():
                    totals[3] += excess(class_totals[k], *low_high)
        totals[4] = sum(1 for i, k in enumerate(self.cls) if self.fit[i] and self.composite[k])
        return totals

    def key(self) -> tuple[int, ...]:
        return tuple(self.totals[m] for m in self.order)

    # ------------------------------------------------------------ the search

    def run(self, seconds: float) -> dict[str, str]:
        """Anneal until the time is up; the best placement seen (lexicographically).

        A third of the tries are random swaps; the rest aim at what is wrong: a child
        without the friends they need goes to a friend's class, a child of a group too
        many in their class goes to another. A swap that makes the weighted cost worse
        is kept with a probability that falls as the temperature does, so the search
        can break a friendship for a while to rebuild a better balance.
        """
        started = time.perf_counter()
        stop = started + seconds
        members = {g: [i for i in m if self.movable[i]] for g, m in self.by_grade.items()}
        grades = [g for g, m in members.items() if len(m) > 1]
        best_key, best = self.key(), self.cls[:]
        if not grades or seconds <= 0:
            return self.placement()
        in_class: dict[tuple[str, int], list[int]] = {}
        while (now := time.perf_counter()) < stop:
            self.temperature = self.hottest * (0.02 / self.hottest) ** ((now - started) / seconds)
            in_class.clear()
            for g in grades:
                for i in members[g]:
                    in_class.setdefault((g, self.cls[i]), []).append(i)
            unmet = [i for i in range(len(self.ids)) if self.movable[i] and self._unmet(i)]
            crowded = [
                i
                for g in grades
                for i in members[g]
                if any(
                    self.group_count[grp][self.cls[i]] > self.group_band[grp][self.cls[i]][1]
                    for grp, _ in self.groups[i]
                )
            ]
            for _ in range(300):
                roll = self.rng.random()
                if roll < 0.35 and unmet:
                    a = self.rng.choice(unmet)
                    friend = self.rng.choice(self.asks[a]) if self.asks[a] else a
                    pool = in_class.get((self.grade_of[a], self.cls[friend]), ())
                elif roll < 0.7 and crowded:
                    a = self.rng.choice(crowded)
                    pool = members[self.grade_of[a]]
                else:
                    a = self.rng.choice(members[self.rng.choice(grades)])
                    pool = members[self.grade_of[a]]
                if pool:
                    b = self.rng.choice(pool)
                    if self.cls[a] != self.cls[b] and self.grade_of[a] == self.grade_of[b]:
                        self._try(a, b)
            if self.key() < best_key:
                best_key, best = self.key(), self.cls[:]
            if not any(best_key):
                break  # nothing left to improve
        self.cls = best
        return self.placement()

    def placement(self) -> dict[str, str]:
        return {self.ids[i]: self.labels[k] for i, k in enumerate(self.cls)}

    def _try(self, a: int, b: int) -> None:
        ka, kb = self.cls[a], self.cls[b]
        if kb not in self.allowed[a] or ka not in self.allowed[b]:
            return
        if any(self.cls[j] == kb for j in self.apart[a] if j != b):
            return
        if any(self.cls[j] == ka for j in self.apart[b] if j != a):
            return
        delta = [0, 0, 0, 0, 0]
        touched = {a, b, *self.askers[a], *self.askers[b]}
        before = sum(self._unmet(i) for i in touched)
        self._move(a, kb)
        self._move(b, ka)
        delta[0] = sum(self._unmet(i) for i in touched) - before
        self._move(a, ka)
        self._move(b, kb)
        # groups: net change per (group, class)
        net: dict[tuple[int, int], int] = {}
        for g, _ in self.groups[a]:
            net[g, ka] = net.get((g, ka), 0) - 1
            net[g, kb] = net.get((g, kb), 0) + 1
        for g, _ in self.groups[b]:
            net[g, kb] = net.get((g, kb), 0) - 1
            net[g, ka] = net.get((g, ka), 0) + 1
        metric_of = dict(self.groups[a] + self.groups[b])
        for (g, k), change in net.items():
            if change:
                count = self.group_count[g][k]
                low, high = self.group_band[g][k]
                delta[metric_of[g]] += excess(count + change, low, high) - excess(count, low, high)
        for _, values, totals, bands in self.scores[self.grade_of[a]]:
            shift = values[b] - values[a]
            if shift:
                for k, change in ((ka, shift), (kb, -shift)):
                    low, high = bands[k]
                    delta[3] += excess(totals[k] + change, low, high) - excess(totals[k], low, high)
        if self.composite[ka] != self.composite[kb]:
            delta[4] = (
                self.fit[a] * self.composite[kb]
                + self.fit[b] * self.composite[ka]
                - self.fit[a] * self.composite[ka]
                - self.fit[b] * self.composite[kb]
            )
        cost = sum(d * w for d, w in zip(delta, self.weights, strict=True))
        if cost > 0 and (
            self.temperature <= 0.01 or self.rng.random() >= math.exp(-cost / self.temperature)
        ):
            return
        if cost == 0 and self.rng.random() < 0.5:
            return
        self._apply(a, kb)
        self._apply(b, ka)
        for m in range(5):
            self.totals[m] += delta[m]

    def _unmet(self, i: int) -> int:
        return 1 if self.same[i] < self.need[i] else 0

    def _move(self, i: int, k: int) -> None:
        """Move child i to class k, keeping the friend counts (only) up to date."""
        old = self.cls[i]
        for j in self.asks[i]:
            self.same[i] += (self.cls[j] == k) - (self.cls[j] == old)
        for j in self.askers[i]:
            self.same[j] += (self.cls[j] == k) - (self.cls[j] == old)
        self.cls[i] = k

    def _apply(self, i: int, k: int) -> None:
        old = self.cls[i]
        for g, _ in self.groups[i]:
            self.group_count[g][old] -= 1
            self.group_count[g][k] += 1
        for _, values, totals, _ in self.scores[self.grade_of[i]]:
            totals[old] -= values[i]
            totals[k] += values[i]
        self._move(i, k)
