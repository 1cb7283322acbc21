"""Benchmark: the Tafweej planner on generated seasons, beside the greedy baseline and its bound.

Run: .venv/bin/python bench/tafweej_plan.py [--groups 1000 4000 8000] [--time-limit 120]

For each size it generates a season (seed 1447; 150-400 pilgrims a group, capacity used at about
70 %), runs the greedy baseline (the anchor) and the planner once each, checks both schedules with
the validator, and prints: seconds, objective, proven lower bound, gap to it, and the ratio of the
planner's objective to greedy's. The goal on a 2-core machine: 8,000 groups in at most 120 s with a
gap of at most 1 %. The load average is printed with the figures: the machine may be shared.
Results go to bench/results/tafweej_plan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from labbaik.tafweej.planning.generate import generate
from labbaik.tafweej.planning.greedy import greedy
from labbaik.tafweej.planning.solver import plan
from labbaik.tafweej.planning.validate import check

RESULTS = Path(__file__).parent / "results" / "tafweej_plan.json"
SEED = 1447


def run(groups: int, time_limit: float) -> dict[str, Any]:
    instance = generate(groups, seed=SEED)
    pilgrims = sum(g.size for g in instance.groups)

    started = time.perf_counter()
    baseline = greedy(instance)
    greedy_seconds = time.perf_counter() - started
    assert check(instance, baseline).ok, "greedy's schedule is invalid"

    started = time.perf_counter()
    schedule = plan(instance, time_limit=time_limit)
    seconds = time.perf_counter() - started
    report = check(instance, schedule)
    assert report.ok, report.violations[:3]
    bound = schedule.lower_bound or 0
    return {
        "groups": groups,
        "pilgrims": pilgrims,
        "greedy_seconds": round(greedy_seconds, 2),
        "greedy_objective": baseline.objective,
        "seconds": round(seconds, 2),
        "objective": schedule.objective,
        "lower_bound": bound,
        "gap": (schedule.objective - bound) / bound if bound else 0.0,
        "greedy_gap": (baseline.objective - bound) / bound if bound else 0.0,
        "ratio_to_greedy": schedule.objective / baseline.objective,
        "load_before": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[1000, 4000, 8000])
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args()

    rows = []
    print(
        f"{'groups':>7} {'pilgrims':>9} {'greedy s':>8} {'plan s':>7} {'objective':>11} "
        f"{'bound':>11} {'gap':>7} {'greedy gap':>10} {'vs greedy':>9}  load"
    )
    for groups in args.groups:
        row = run(groups, args.time_limit)
        rows.append(row)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{row['groups']:>7} {row['pilgrims']:>9} {row['greedy_seconds']:>8.2f} "
            f"{row['seconds']:>7.2f} {row['objective']:>11} {row['lower_bound']:>11} "
            f"{row['gap']:>7.2%} {row['greedy_gap']:>10.2%} {row['ratio_to_greedy']:>9.3f}  {load}"
        )
    last = rows[-1]
    goal = last["groups"] >= 8000 and last["seconds"] <= 120 and last["gap"] <= 0.01
    print(f"goal (8,000 groups, <= 120 s, gap <= 1 %): {'met' if goal else 'NOT met'}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "time_limit": args.time_limit,
                "load_after": os.getloadavg(),
                "rows": rows,
            },
            indent=2,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
