"""Benchmark: card verification, QR text to verdict, beside the bare signature check.

Run: .venv/bin/python bench/card_verify.py [--pilgrims 20000] [--tokens 2000] [--pngs 200]

It builds the demo season (every pilgrim gets a card) in a temporary SQLite file with keys in a
temporary folder, then measures on one core (the process is pinned to one CPU):

- issue: cards signed and stored per second, `issue_cards(all=True)` on the whole season
  (the season's cards are deleted first and issued again, so the demo's build is not counted);
- ours: verifications per second of `verify_card` on QR text, with the trust list and the
  status list loaded once: prefix, Base45, zlib, COSE parse, kid lookup, ES256 verification,
  claims, dates and status;
- bare: ECDSA P-256 verifications per second of the same tokens' signatures over their
  prepared Sig_structure bytes with cryptography alone: the physical limit;
- png: PNG image (the QR code as `card show --format png` writes it) to verdict, per second;
- size: the longest QR text of the season, its QR version at level Q, the NFC message size,
  and how many cards had their given names shortened to fit (docs/credential.md, section 3).

Each rate is measured --rounds times (3), interleaved, and the best round kept. Goals: ours >=
50 % of bare; no card beyond version 15. Results go to bench/results/card_verify.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import delete, select

RESULTS = Path(__file__).parent / "results" / "card_verify.json"


def _rate(work: Callable[[], int], rounds: list[float]) -> None:
    started = time.perf_counter()
    count = work()
    rounds.append(count / (time.perf_counter() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pilgrims", type=int, default=20_000)
    parser.add_argument("--tokens", type=int, default=2_000)
    parser.add_argument("--pngs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    folder = Path(tempfile.mkdtemp(prefix="card-bench-"))
    os.environ["LABBAIK_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    os.environ["LABBAIK_CARD_KEY_DIR"] = str(folder / "keys")

    # Imported after the settings are in the environment.
    from labbaik import demo  # noqa: PLC0415
    from labbaik.auth.roles import system_actor  # noqa: PLC0415
    from labbaik.cards import credential, nfc, qr, service, verify  # noqa: PLC0415
    from labbaik.cards.models import Card  # noqa: PLC0415
    from labbaik.db import session_scope, upgrade  # noqa: PLC0415
    from labbaik.kit import cose  # noqa: PLC0415

    system = system_actor("bench")
    upgrade()
    started = time.perf_counter()
    with session_scope() as session:
        demo.build(session, pilgrims=args.pilgrims, seed=1447)
    build_seconds = time.perf_counter() - started

    with session_scope() as session:
        session.execute(delete(Card))
    started = time.perf_counter()
    with session_scope() as session:
        issued = service.issue_cards(session, actor=system, all=True).issued
    issue_seconds = time.perf_counter() - started

    with session_scope() as session:
        bodies = list(session.scalars(select(Card.body).order_by(Card.serial)))
        trust = service.trust_store(session)
        status = verify.parse_status_token(service.status_list_token(session), trust)
    texts = [credential.qr_text_for(b) for b in bodies]
    longest = max(texts, key=len)
    longest_version = qr.version_of(longest)
    largest_ndef = max(len(nfc.message_for(b)) for b in bodies)
    shortened = sum(
        credential.decode_claims(
            cose.decode_sign1(credential.message_from_body(b)).payload
        ).names_shortened
        for b in bodies
    )

    sample = texts[: args.tokens]
    prepared = []
    for text in sample:
        message = cose.decode_sign1(credential.message_from_body(credential.body_from_text(text)))
        signer = trust.get(message.kid)
        assert signer is not None
        assert isinstance(signer.public_key, ec.EllipticCurvePublicKey)
        sig = message.signature
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        prepared.append((signer.public_key, der, message.to_be_signed()))
    pngs = [qr.png(t) for t in texts[: args.pngs]]
    at = status.issued_at

    def ours() -> int:
        for text in sample:
            if verify.verify_card(text, trust=trust, status=status, at=at).verdict != "valid":
                raise SystemExit(f"a demo card did not verify: {text[:40]}...")
        return len(sample)

    def bare() -> int:
        algorithm = ec.ECDSA(hashes.SHA256())
        for public_key, der, data in prepared:
            public_key.verify(der, data, algorithm)
        return len(prepared)

    def from_png() -> int:
        for image in pngs:
            text = qr.card_text_from_image(image)
            verify.verify_card(text, trust=trust, status=status, at=at)
        return len(pngs)

    rates: dict[str, list[float]] = {"ours": [], "bare": [], "png": []}
    for _ in range(args.rounds):
        _rate(ours, rates["ours"])
        _rate(bare, rates["bare"])
        _rate(from_png, rates["png"])
    best = {k: max(v) for k, v in rates.items()}
    result: dict[str, Any] = {
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        },
        "pilgrims": args.pilgrims,
        "cards": len(bodies),
        "demo_build_seconds": round(build_seconds, 2),
        "issue_per_second": round(issued / issue_seconds),
        "verify_per_second": round(best["ours"]),
        "bare_es256_per_second": round(best["bare"]),
        "ratio": round(best["ours"] / best["bare"], 3),
        "png_to_verdict_per_second": round(best["png"], 1),
        "largest_qr_characters": len(longest),
        "largest_qr_version": longest_version,
        "largest_ndef_bytes": largest_ndef,
        "cards_with_shortened_names": shortened,
        "rounds": {k: [round(x) for x in v] for k, v in rates.items()},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"cards: {len(bodies)} for {args.pilgrims} pilgrims; demo build {build_seconds:.1f} s")
    print(f"issue:  {result['issue_per_second']:>8} cards/s (sign + store, whole season)")
    print(f"ours:   {result['verify_per_second']:>8} verifications/s (QR text -> verdict)")
    print(f"bare:   {result['bare_es256_per_second']:>8} ES256 verifications/s (same tokens)")
    print(f"ratio:  {result['ratio']:>8.1%}  (goal >= 50 %)")
    print(f"png:    {result['png_to_verdict_per_second']:>8} PNG -> verdict per second")
    print(
        f"size:   largest QR text {len(longest)} characters, version {longest_version} at level Q "
        f"(goal <= 15); largest NDEF message {largest_ndef} bytes (NTAG215: 504); "
        f"{shortened} cards with given names shortened to fit"
    )
    print(f"load:   {result['machine']['load_average']}; results in {RESULTS}")


if __name__ == "__main__":
    main()
