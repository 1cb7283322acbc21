"""Imports every domain's tables so that Alembic and the tests see the whole schema."""


def import_all_models() -> None:
    import labbaik.auth.models  # noqa: PLC0415
    import labbaik.cards.models  # noqa: PLC0415
    import labbaik.health.models  # noqa: PLC0415
    import labbaik.ledger.models  # noqa: PLC0415
    import labbaik.registry.models  # noqa: PLC0415
    import labbaik.tafweej.models  # noqa: PLC0415
    import labbaik.wallet.models  # noqa: F401, PLC0415
