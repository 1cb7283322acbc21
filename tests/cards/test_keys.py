"""Card keys: a root certifies season signers; private keys only in encrypted files;
rotation keeps an old signer trusted until its last card expires."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from labbaik.auth.roles import system_actor
from labbaik.cards import keys, service
from labbaik.cards.errors import KeysExist, KeyStoreError
from labbaik.cards.models import CardKey
from labbaik.cards.schemas import TrustKey
from labbaik.errors import Forbidden
from labbaik.settings import DEV_CARD_PASSPHRASE, Settings, UnsafeSettings
from tests.conftest import World

SYSTEM = system_actor("test")


class TestInit:
    def test_makes_a_root_and_a_signer_certified_by_it(
        self, session: Session, card_keys: list[TrustKey]
    ) -> None:
        root_key, signer_key = card_keys
        assert (root_key.kind, signer_key.kind, signer_key.season) == ("root", "signer", 1447)
        root = x509.load_pem_x509_certificate(keys.root_pem(session))
        (signer,) = x509.load_pem_x509_certificates(service.trust_bundle_pem(session))
        signer.verify_directly_issued_by(root)
        assert signer.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False

    def test_private_keys_are_encrypted_files_and_never_in_the_database(
        self, session: Session, card_keys: list[TrustKey], key_dir: Path
    ) -> None:
        files = sorted(key_dir.glob("*.pem"))
        assert len(files) == 2
        for path in files:
            assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
            assert path.stat().st_mode & 0o077 == 0
            with pytest.raises(TypeError):
                serialization.load_pem_private_key(path.read_bytes(), password=None)
        columns = {c.name for c in CardKey.__table__.columns}
        assert columns.isdisjoint({"private_key", "key", "pem"})

    def test_a_second_init_is_refused(self, session: Session, card_keys: list[TrustKey]) -> None:
        with pytest.raises(KeysExist):
            keys.init_keys(session, season=1447, actor=SYSTEM)

    def test_only_an_actor_with_the_keys_scope_may_init(
        self, session: Session, world: World, key_dir: Path
    ) -> None:
        with pytest.raises(Forbidden):
            keys.init_keys(session, season=1447, actor=world.actor("operator"))  # type: ignore[arg-type]

    def test_an_eddsa_root_and_signer_can_be_chosen(
        self, session: Session, world: World, key_dir: Path
    ) -> None:
        made = keys.init_keys(session, season=1447, alg="EdDSA", actor=SYSTEM)
        assert {k.alg for k in made} == {"EdDSA"}


def _production(key_dir: Path, passphrase: str) -> Settings:
    # Production settings as far as the key store looks; the other domains' production checks
    # (their own secrets) are theirs to test.
    settings = Settings(card_key_dir=key_dir, card_key_passphrase=passphrase)
    return settings.model_copy(update={"environment": "production"})


class TestKeyStore:
    def test_a_wrong_passphrase_cannot_open_the_keys(
        self, session: Session, card_keys: list[TrustKey], key_dir: Path
    ) -> None:
        store = keys.FileKeyStore(key_dir, "not the passphrase at all")
        row = session.scalars(select(CardKey).where(CardKey.kind == "signer")).one()
        with pytest.raises(KeyStoreError, match="wrong LABBAIK_CARD_KEY_PASSPHRASE"):
            store.signer(row.kid)

    def test_a_missing_key_file_says_where_keys_live(self, tmp_path: Path) -> None:
        with pytest.raises(KeyStoreError, match="LABBAIK_CARD_KEY_DIR"):
            keys.FileKeyStore(tmp_path, "a long enough passphrase").signer(b"\x00" * 8)

    def test_production_refuses_the_default_passphrase(self, tmp_path: Path) -> None:
        settings = _production(tmp_path, DEV_CARD_PASSPHRASE)
        with pytest.raises(UnsafeSettings, match="LABBAIK_CARD_KEY_PASSPHRASE"):
            keys.key_store(settings)

    def test_production_takes_a_long_random_passphrase(self, tmp_path: Path) -> None:
        settings = _production(tmp_path, "q" * 32)
        assert isinstance(keys.key_store(settings), keys.FileKeyStore)


class TestRotate:
    def test_new_cards_are_signed_by_the_new_signer_and_old_cards_still_verify(
        self, session: Session, world: World, card_keys: list[TrustKey]
    ) -> None:
        old_card = service.issue_card(session, pilgrim_id=world.pilgrim_a.id, actor=SYSTEM)
        new_signer = keys.rotate(session, season=1447, actor=SYSTEM)
        new_card = service.issue_card(session, pilgrim_id=world.pilgrim_b.id, actor=SYSTEM)
        assert old_card.kid == card_keys[1].kid
        assert new_card.kid == new_signer.kid != old_card.kid
        assert {k.kid for k in service.trust_keys(session)} == {old_card.kid, new_card.kid}
        for card in (old_card, new_card):
            assert service.verify_text(session, text=card.qr_text, actor=SYSTEM).ok

    def test_a_retired_signer_without_cards_leaves_the_trust_list(
        self, session: Session, card_keys: list[TrustKey]
    ) -> None:
        new_signer = keys.rotate(session, season=1447, actor=SYSTEM)
        assert [k.kid for k in service.trust_keys(session)] == [new_signer.kid]
        document = service.trust_document(session)
        assert list(document["keys"]) == [new_signer.kid]
        assert document["keys"][new_signer.kid]["season"] == 1447
