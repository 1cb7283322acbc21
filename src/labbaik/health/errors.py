"""Errors of the health domain, with stable codes."""

from labbaik.errors import DomainError, InvalidInput, NotFound


class HealthRecordNotFound(NotFound):
    code = "health_record_not_found"


class HealthKeyError(DomainError):
    """The keys in settings cannot encrypt or decrypt the record (misconfigured, not the user's)."""

    code = "health_key"
    status = 500


class RecordUnreadable(DomainError):
    code = "health_record_unreadable"
    status = 500


class ReasonRequired(InvalidInput):
    code = "reason_required"


class BundleRejected(InvalidInput):
    code = "ips_rejected"


class RulesRejected(InvalidInput):
    code = "rules_rejected"


class TrustListRejected(InvalidInput):
    code = "trust_list_rejected"


class CertificateRefused(InvalidInput):
    code = "certificate_refused"
