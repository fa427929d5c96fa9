"""Make the screenshots of the offline manual (resources/manual/shots/) from this app.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/manual_screenshots.py

A throwaway demo profile (offline demo data and a campaign whose central window is open today),
the main window at 1366×768, each page the manual shows, and the enrollment wizard's steps. Run it
again whenever a screen the manual shows changes.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "resources" / "manual" / "shots"
WIDTH = 1100  # the manual shows them at 560–640 px; half-size keeps the repository small


def campaign(plan_year: int) -> dict:
    deadline = date.today() + timedelta(days=24)
    return {"plan_year": plan_year, "payment_deadline": deadline.isoformat(),
            "windows": {"coverage": {"start": f"{plan_year}-01-01", "end": f"{plan_year}-12-31"},
                        "enrollment": {"start": (date.today() - timedelta(days=60)).isoformat(),
                                       "end": deadline.isoformat()},
                        "submission_window": {"start": (deadline + timedelta(days=1)).isoformat(),
                                              "end": (deadline + timedelta(days=6)).isoformat()}},
            "bank_account": {"name": "上海市职工保障互助中心会员专享保障专户", "number": "316023-03002745697",
                             "bank": "上海银行人民广场支行"},
            "plan_types": [{"plan_type": "A", "fee": "26.00", "city": "13.00", "district": "13.00",
                            "grassroots": "0.00"}]}


def save(widget, name: str) -> None:
    from PySide6.QtCore import Qt

    from app.views import ops

    ops.drain()
    image = widget.grab().toImage()
    if image.width() > WIDTH:
        image = image.scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
    OUT.mkdir(parents=True, exist_ok=True)
    image.save(str(OUT / f"{name}.png"), "PNG", 9)
    print(OUT / f"{name}.png")


def main() -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from app.views import ops, startup
    from app.views.fonts import register_bundled_font

    register_bundled_font(app)
    startup.prepare(app)
    from app.models import close_database, open_database
    from app.paths import Profile
    from app.services import demo, enrollment
    from app.services.campaign import cache_campaign
    from app.services.unions import default_plan_year

    root = Path(tempfile.mkdtemp(prefix="union-clerk-manual-"))
    try:
        profile = Profile(root).create()
        open_database(profile.database, backup_dir=profile.backups)
        demo.fill_demo(300)
        plan_year = default_plan_year(date.today())
        cache_campaign(campaign(plan_year))
        from app.views.main_window import MainWindow

        window = MainWindow(profile=profile, union_id=1, union_name=demo.DEMO_UNION, plan_year=plan_year,
                            actor="clerk", remember_geometry=False)
        window.load_now()
        window.resize(1366, 740)
        window.show()
        for page in ("workbench", "members", "card_queue", "card_enrollment"):
            window.show_page(page)
            save(window, page)
        wizard = window.page("card_enrollment").open_wizard(enrollment.KIND_CENTRAL)
        wizard.resize(1000, 700)
        save(wizard, "wizard_overview")
        wizard.next()
        save(wizard, "wizard_retirement")
        wizard.retirement.table.selectAll()  # every flagged member 仍在职, as a bulk answer
        wizard.retirement.answer_selected("working")
        wizard.next()
        ops.drain()
        save(wizard, "wizard_roster")
        wizard.reject()
        window.close()
        ops.wait_all()
        close_database()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
