"""A till reads a card for a payment: the verdict and a masked name, recorded, nothing more."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from labbaik.auth.roles import Actor, system_actor
from labbaik.cards import service
from labbaik.cards.scanning import masked_name
from labbaik.cards.schemas import TrustKey
from labbaik.errors import Forbidden
from tests.conftest import World

SYSTEM = system_actor("test")


def _merchant(world: World) -> Actor:
    actor = world.actor("merchant")
    assert isinstance(actor, Actor)
    return actor


class TestReadForPayment:
    def test_a_good_card_gives_its_holder_s_id_and_a_masked_name_only(
        self, session: Session, world: World, card_keys: list[TrustKey]
    ) -> None:
        card = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM)
        read = service.read_for_payment(session, card=card.qr_text, actor=_merchant(world))
        assert read.model_dump() == {
            "verdict": "valid",
            "reason": "signature, dates and status are good",
            "card_number": card.card_number,
            "pilgrim_id": world.pilgrim_a.id,
            "masked_name": "Siti A.",
        }

    def test_a_suspended_card_says_so_and_names_nobody(
        self, session: Session, world: World, card_keys: list[TrustKey]
    ) -> None:
        card = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM)
        service.suspend(session, card_number=card.card_number, reason="found", actor=SYSTEM)
        read = service.read_for_payment(session, card=card.card_number, actor=_merchant(world))
        assert (read.verdict, read.pilgrim_id, read.masked_name) == ("suspended", None, None)

    def test_needs_the_till_s_scope_not_card_scan(
        self, session: Session, world: World, card_keys: list[TrustKey]
    ) -> None:
        card = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM)
        pilgrim = world.actor("pilgrim")
        assert isinstance(pilgrim, Actor)
        with pytest.raises(Forbidden):
            service.read_for_payment(session, card=card.card_number, actor=pilgrim)

    @pytest.mark.parametrize(
        ("given", "surname", "masked"),
        [("Ahmed Ali", "Khan", "Ahmed K."), ("", "Khan", "K."), ("Siti", "", "Siti")],
    )
    def test_a_masked_name_keeps_the_first_given_name_and_an_initial(
        self, given: str, surname: str, masked: str
    ) -> None:
        assert masked_name(given, surname) == masked
