"""The instance generator: deterministic, the issue's shape, and a season the planner can plan."""

from __future__ import annotations

from labbaik.tafweej.planning.generate import MOVEMENTS, generate


class TestGenerate:
    def test_the_same_seed_gives_the_same_instance(self) -> None:
        assert generate(50, seed=3).to_json() == generate(50, seed=3).to_json()
        assert generate(50, seed=3).to_json() != generate(50, seed=4).to_json()

    def test_groups_sizes_and_movements(self) -> None:
        instance = generate(400, seed=1)
        assert len(instance.groups) == 400
        assert all(150 <= g.size <= 400 for g in instance.groups)
        assert [m.id for m in instance.movements] == [
            "to-mina",
            "to-arafat",
            "to-muzdalifah",
            "stone-10",
            "stone-11",
            "stone-12",
            "to-haram",
        ]
        assert any(g.forbidden for g in instance.groups)

    def test_capacity_is_used_at_about_seventy_percent(self) -> None:
        instance = generate(400, seed=1)
        pilgrims = sum(g.size for g in instance.groups)
        routes = {r.id: r for r in instance.routes}
        need = 0.0
        offered = 0.0
        for mv in MOVEMENTS:
            lo, hi = mv.window
            usable = [s for s in range(lo, hi + 1) if s not in mv.forbidden]
            for rid, duration, share, _ in mv.routes:
                need += pilgrims * share * duration
                offered += sum(routes[rid].capacity_at(s) for s in usable)
        assert 0.68 <= need / offered <= 0.75

    def test_wishes_peak_above_capacity(self) -> None:
        instance = generate(400, seed=1)
        wished: dict[int, int] = {}
        for g in instance.groups:
            if "stone-10" in g.preferred:
                wished[g.preferred["stone-10"]] = wished.get(g.preferred["stone-10"], 0) + g.size
        per_slot = sum(
            r.capacity_at(0) / r.duration for r in instance.routes if "stone-10" in r.movements
        )
        assert max(wished.values()) > per_slot
