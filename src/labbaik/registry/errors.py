"""Errors of the registry, with stable codes."""

from labbaik.errors import Conflict, InvalidInput, NotFound


class PilgrimNotFound(NotFound):
    code = "pilgrim_not_found"


class CompanyNotFound(NotFound):
    code = "company_not_found"


class GroupNotFound(NotFound):
    code = "group_not_found"


class LodgingNotFound(NotFound):
    code = "lodging_not_found"


class SeasonNotFound(NotFound):
    code = "season_not_found"


class NoCurrentSeason(NotFound):
    code = "no_current_season"


class DuplicatePassport(Conflict):
    code = "duplicate_passport"


class DuplicateCode(Conflict):
    code = "duplicate_code"


class InvalidMRZ(InvalidInput):
    code = "invalid_mrz"


class ImportRejected(InvalidInput):
    code = "import_rejected"
