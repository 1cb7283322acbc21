"""Benchmark: IPS bundles imported and checked per second, beside fhir.resources parsing alone.

Run: .venv/bin/python bench/health_ips.py [--bundles 300] [--rounds 3]

The same realistic bundles (the demo's records of older pilgrims written as IPS documents, about
ten entries each) are measured four ways, in bundles per second:

- anchor: fhir.resources' R4B Bundle parsing the JSON (model_validate_json), nothing more;
- anchor_dict: the same parse from json.loads (model_validate), the way the import calls it;
- checked: what the import does before it stores anything: JSON, the library's validation, the
  IPS checks (Composition, sections, references, code systems) and the reading into a record;
- imported: `labbaik health import-ips`'s service path into a migrated SQLite file, one
  transaction a bundle (checked, encrypted, judged against the season's rules, audited).

Each is measured --rounds times, interleaved, and the best round kept. The ratio checked/anchor
(against the faster anchor) says what the IPS checks cost over parsing alone. Results go to
bench/results/health_ips.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.db import make_engine, upgrade
from labbaik.health import demo_records, ips, service
from labbaik.models_index import import_all_models
from labbaik.registry import service as registry_service
from labbaik.registry.schemas import CompanyCreate, PilgrimCreate, SeasonCreate

RESULTS = Path(__file__).parent / "results" / "health_ips.json"
ARRIVAL = date(2026, 5, 10)
SYSTEM = system_actor("bench")


def make_bundles(count: int, pilgrim_ids: list[uuid.UUID]) -> list[bytes]:
    rng = random.Random(1447)
    out = []
    for index in range(count):
        data = demo_records.demo_record(
            rng, nationality="PAK", age=rng.randint(45, 85), arrival=ARRIVAL
        )
        # A summary worth the name: at least something in each list.
        while not (data.conditions and data.medications):
            data = demo_records.demo_record(rng, nationality="PAK", age=80, arrival=ARRIVAL)
        facts = ips.PatientFacts(
            pilgrim_id=pilgrim_ids[index % len(pilgrim_ids)],
            family=f"Khan{index}",
            given="Imran",
            gender="M",
            birth_date=date(1955, 1, 1),
        )
        bundle = ips.to_bundle(data, patient=facts, now=datetime(2026, 3, 1, tzinfo=UTC))
        out.append(json.dumps(bundle).encode())
    return out


def anchor(bundles: list[bytes]) -> None:
    for raw in bundles:
        Bundle.model_validate_json(raw)


def anchor_dict(bundles: list[bytes]) -> None:
    for raw in bundles:
        Bundle.model_validate(json.loads(raw))


def checked(bundles: list[bytes]) -> None:
    for raw in bundles:
        bundle = ips.load(raw)
        ips.check(bundle)
        ips.to_record(bundle)


def database(path: Path, pilgrims: int) -> tuple[object, list[uuid.UUID]]:
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        registry_service.create_season(
            session,
            season_in=SeasonCreate(hijri_year=1447, name="Hajj 1447", day_8=date(2026, 5, 25)),
            actor=SYSTEM,
        )
        company = registry_service.create_company(
            session,
            company_in=CompanyCreate(
                code="PAK-BENCH", kind="mission", name="Bench Mission", licence_number="B-1",
                country="PAK",
            ),
            actor=SYSTEM,
        )  # fmt: skip
        ids = [
            registry_service.create_pilgrim(
                session,
                pilgrim_in=PilgrimCreate(
                    surname=f"Khan{n}", given_names="Imran", sex="M",
                    date_of_birth=date(1955, 1, 1), nationality="PAK",
                    passport_number=f"BE{n:07d}", passport_expiry=date(2031, 1, 1),
                    company_id=company.id,
                ),
                actor=SYSTEM,
            ).id
            for n in range(pilgrims)
        ]  # fmt: skip
        rules = service.parse_rules(service.RULES_1447.read_bytes())
        service.load_rules(session, rules_in=rules, actor=SYSTEM)
        session.commit()
    return engine, ids


def imported(engine: object, bundles: list[bytes], ids: list[uuid.UUID]) -> None:
    for index, raw in enumerate(bundles):
        with Session(engine) as session:  # type: ignore[call-overload]
            service.import_ips(session, pilgrim_id=ids[index % len(ids)], raw=raw, actor=SYSTEM)
            session.commit()


def best(fn: Callable[[], None], count: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return count / min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundles", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import_all_models()
    with tempfile.TemporaryDirectory() as tmp:
        engine, ids = database(Path(tmp) / "bench.db", pilgrims=100)
        bundles = make_bundles(args.bundles, ids)
        entries = sum(len(json.loads(b)["entry"]) for b in bundles) / len(bundles)
        size = sum(map(len, bundles)) / len(bundles)
        rates: dict[str, list[float]] = {
            "anchor": [],
            "anchor_dict": [],
            "checked": [],
            "imported": [],
        }
        for _ in range(args.rounds):
            rates["anchor"].append(best(lambda: anchor(bundles), len(bundles), 1))
            rates["anchor_dict"].append(best(lambda: anchor_dict(bundles), len(bundles), 1))
            rates["checked"].append(best(lambda: checked(bundles), len(bundles), 1))
            rates["imported"].append(best(lambda: imported(engine, bundles, ids), len(bundles), 1))
    top = {k: max(v) for k, v in rates.items()}
    fastest = max(top["anchor"], top["anchor_dict"])
    result = {
        "bundles": len(bundles),
        "entries_per_bundle": round(entries, 1),
        "bytes_per_bundle": round(size),
        "bundles_per_second": {k: round(v, 1) for k, v in top.items()},
        "checked_vs_anchor": round(top["checked"] / fastest, 3),
        "imported_vs_anchor": round(top["imported"] / fastest, 3),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "python": platform.python_version(),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{len(bundles)} IPS bundles, {entries:.1f} entries and {size / 1000:.1f} kB each")
    for name, rate in top.items():
        print(f"  {name:<11} {rate:8.1f} bundles/s")
    print(f"  checked/anchor  {result['checked_vs_anchor']:.2f}")
    print(f"  imported/anchor {result['imported_vs_anchor']:.2f}")
    print(f"  ({result['machine']}; results in {RESULTS})")


if __name__ == "__main__":
    main()
