"""The profile's union and the plan year being prepared. Kept light: imported at start-up."""
from __future__ import annotations

from app.models import Union
from app.rules.coverage import default_plan_year  # noqa: F401 (re-export: the rule lives in rules)


def current_union() -> Union | None:
    """The union this profile belongs to (one union per profile)."""
    return Union.select().order_by(Union.id).first()


def setting_values(*keys: str) -> dict[str, str]:
    """The profile's settings among `keys` that are set (server address, account, device key's
    fingerprint …), read together."""
    from app.models import Setting

    return {row.key: row.value for row in Setting.select().where(Setting.key.in_(keys))}
