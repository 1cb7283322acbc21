"""Roles, what each may do (scopes), and the actor every service call is made on behalf of."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    PILGRIM = "pilgrim"
    COMPANY = "company"
    PROVIDER = "provider"
    FIELD_WORKER = "field_worker"
    MEDIC = "medic"
    OFFICER = "officer"
    BAGGAGE_HANDLER = "baggage_handler"
    MERCHANT = "merchant"
    OPERATOR = "operator"
    ADMIN = "admin"


class Scope(enum.StrEnum):
    """A capability. Services check scopes, never role names, so a role can be re-cut later."""

    REGISTRY_READ = "registry:read"  # list and read pilgrims within the actor's tenant
    REGISTRY_READ_ALL = "registry:read_all"  # ... across every tenant
    REGISTRY_WRITE = "registry:write"
    REGISTRY_IMPORT = "registry:import"
    PASSPORT_READ = "passport:read"  # passport number, expiry, date of birth
    PILGRIM_LOOKUP = "pilgrim:lookup"  # one pilgrim's identity and belonging, to help them
    SEASON_MANAGE = "season:manage"
    COMPANY_MANAGE = "company:manage"
    ACCOUNT_MANAGE = "account:manage"
    AUDIT_READ = "audit:read"
    HEALTH_READ = "health:read"
    HEALTH_WRITE = "health:write"  # enter a pilgrim's health record (a medic, their company)
    HEALTH_COMPLIANCE = "health:compliance"  # vaccination compliance status, no clinical detail
    OWN_RECORD = "own:read"
    CARD_ISSUE = "card:issue"  # issue cards to the pilgrims the actor may see
    CARD_MANAGE = "card:manage"  # revoke, suspend, reinstate, replace those cards
    CARD_SCAN = "card:scan"  # verify a card and look its holder up
    CARD_KEYS = "card:keys"  # create and rotate the signing keys
    TAFWEEJ_READ = "tafweej:read"  # the Tafweej schedules of the actor's groups (all: read_all)
    TAFWEEJ_MANAGE = "tafweej:manage"  # a season's places, routes, movements, groups' wishes
    TAFWEEJ_PLAN = "tafweej:plan"  # run, publish and re-plan the season's schedule
    LEDGER_READ = "ledger:read"  # balances and statements of any ledger account
    LEDGER_WRITE = "ledger:write"  # open accounts and move money (other domains: as system)
    WALLET_OWN = "wallet:own"  # the pilgrim's own wallet: top up, pay, passkeys, statement
    WALLET_READ_ALL = "wallet:read_all"  # any pilgrim's wallet and history
    WALLET_MANAGE = "wallet:manage"  # open wallets for pilgrims
    MERCHANT_MANAGE = "merchant:manage"  # onboard merchants, bind accounts, pay them out
    MERCHANT_TILL = "merchant:till"  # the merchant's own till: take payments, refund, takings


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.PILGRIM: frozenset({Scope.OWN_RECORD, Scope.WALLET_OWN}),
    Role.COMPANY: frozenset(
        {
            Scope.REGISTRY_READ,
            Scope.REGISTRY_WRITE,
            Scope.REGISTRY_IMPORT,
            Scope.PASSPORT_READ,
            Scope.HEALTH_WRITE,
            Scope.HEALTH_COMPLIANCE,
        }
        | {Scope.CARD_ISSUE, Scope.CARD_MANAGE}
        | {Scope.TAFWEEJ_READ}
    ),
    Role.PROVIDER: frozenset(),
    Role.FIELD_WORKER: frozenset({Scope.PILGRIM_LOOKUP, Scope.CARD_SCAN}),
    Role.MEDIC: frozenset(
        {Scope.PILGRIM_LOOKUP, Scope.HEALTH_READ, Scope.HEALTH_WRITE, Scope.HEALTH_COMPLIANCE}
        | {Scope.CARD_SCAN}
    ),
    Role.OFFICER: frozenset(
        {Scope.PILGRIM_LOOKUP, Scope.REGISTRY_READ, Scope.REGISTRY_READ_ALL, Scope.PASSPORT_READ}
        | {Scope.CARD_SCAN}
    ),
    Role.BAGGAGE_HANDLER: frozenset(),
    Role.MERCHANT: frozenset({Scope.MERCHANT_TILL}),
    Role.OPERATOR: frozenset(
        {
            Scope.REGISTRY_READ,
            Scope.REGISTRY_READ_ALL,
            Scope.REGISTRY_WRITE,
            Scope.REGISTRY_IMPORT,
            Scope.PASSPORT_READ,
            Scope.PILGRIM_LOOKUP,
            Scope.SEASON_MANAGE,
            Scope.COMPANY_MANAGE,
            Scope.AUDIT_READ,
            Scope.CARD_ISSUE,
            Scope.CARD_MANAGE,
            Scope.CARD_SCAN,
            Scope.TAFWEEJ_READ,
            Scope.TAFWEEJ_MANAGE,
            Scope.TAFWEEJ_PLAN,
            Scope.HEALTH_COMPLIANCE,
            Scope.LEDGER_READ,
            Scope.LEDGER_WRITE,
            Scope.WALLET_READ_ALL,
            Scope.WALLET_MANAGE,
            Scope.MERCHANT_MANAGE,
        }
    ),
    Role.ADMIN: frozenset(Scope),
}

# Roles whose account must name the tenant it works for.
COMPANY_BOUND = frozenset({Role.COMPANY, Role.PROVIDER})


@dataclass(frozen=True)
class Actor:
    """Who is acting, for whom, and from where; passed to every service call."""

    account_id: uuid.UUID | None
    username: str
    role: Role
    company_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    pilgrim_id: uuid.UUID | None = None
    origin: str = ""
    scopes: frozenset[Scope] = field(default=frozenset())

    def __post_init__(self) -> None:
        if not self.scopes:
            object.__setattr__(self, "scopes", ROLE_SCOPES[self.role])

    def can(self, scope: Scope) -> bool:
        return scope in self.scopes


def system_actor(origin: str = "system") -> Actor:
    """The platform itself (migrations, the demo loader, jobs); still audited by name."""
    return Actor(account_id=None, username="system", role=Role.ADMIN, origin=origin)
