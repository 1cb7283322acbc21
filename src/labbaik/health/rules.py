"""Judging a record against a season's vaccination rules: pure, so it is easy to test."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from labbaik.health.schemas import (
    ComplianceReason,
    ComplianceState,
    HealthData,
    Immunization,
    RuleSetIn,
    VaccinationRuleIn,
)


def add_months(day: date, months: int) -> date:
    """The same day so many months later; the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def applies(rule: VaccinationRuleIn, *, origin: str, transit: list[str]) -> bool:
    if rule.countries is None:
        return True
    return origin in rule.countries or any(c in rule.countries for c in transit)


def _protects(rule: VaccinationRuleIn, dose: Immunization) -> bool:
    if dose.vaccine is not None and dose.vaccine.key in rule.vaccines:
        return True
    target = rule.target_disease
    return any(d.code == target.code and d.system == target.system for d in dose.target_diseases)


def _last_valid_day(rule: VaccinationRuleIn, dose: Immunization) -> date | None:
    kind = rule.vaccines.get(dose.vaccine.key, "unspecified") if dose.vaccine else "unspecified"
    months = rule.validity_months.get(kind, rule.validity_months["unspecified"])
    if months is None:
        return None
    return add_months(dose.date, months) - timedelta(days=1)


def judge_rule(
    rule: VaccinationRuleIn, data: HealthData, *, arrival: date, valid_through: date
) -> ComplianceReason | None:
    """None when some dose meets the rule; otherwise why the best dose does not."""
    latest_dose_day = arrival - timedelta(days=rule.min_days_before_arrival)
    doses = sorted((d for d in data.immunizations if _protects(rule, d)), key=lambda d: d.date)
    named = {"rule": rule.code, "rule_name": rule.name, "rule_name_ar": rule.name_ar}
    if not doses:
        return ComplianceReason(kind="missing", **named)
    failure: ComplianceReason | None = None
    for dose in doses:
        last = _last_valid_day(rule, dose)
        if dose.date > latest_dose_day:
            failure = ComplianceReason(
                kind="too_late", dose_date=dose.date, limit=latest_dose_day, **named
            )
        elif last is not None and last < valid_through:
            failure = ComplianceReason(kind="expires", dose_date=dose.date, limit=last, **named)
        else:
            return None
    return failure


def judge(
    data: HealthData, *, nationality: str, rules: RuleSetIn
) -> tuple[ComplianceState, list[ComplianceReason]]:
    origin = data.origin_country or nationality
    arrival = data.arrival_date or rules.arrival_date
    reasons = [
        reason
        for rule in rules.rules
        if applies(rule, origin=origin, transit=data.transit_countries)
        and (reason := judge_rule(rule, data, arrival=arrival, valid_through=rules.valid_through))
    ]
    return ("not_compliant" if reasons else "compliant"), reasons
