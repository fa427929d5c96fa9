"""The profile's union and the plan year being prepared. Kept light: imported at start-up."""
from __future__ import annotations

from datetime import date

from app.models import Union


def default_plan_year(today: date) -> int:
    """The plan year being prepared: central enrollment for next year runs from September."""
    return today.year + 1 if today.month >= 9 else today.year


def current_union() -> Union | None:
    """The union this profile belongs to (one union per profile)."""
    return Union.select().order_by(Union.id).first()


def setting_values(*keys: str) -> dict[str, str]:
    """The profile's settings among `keys` that are set (server address, account, device key's
    fingerprint …), read together."""
    from app.models import Setting

    return {row.key: row.value for row in Setting.select().where(Setting.key.in_(keys))}
