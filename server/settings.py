"""Tunable server behaviour (timeouts, lockout, job delay) and the clock everything reads.

The clock is injectable so tests and the demo can stand at any day of a campaign; it returns an
aware UTC datetime. `now_naive()` is what the tables store (naive UTC).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Settings:
    access_ttl_seconds: int = 15 * 60
    refresh_ttl_seconds: int = 30 * 24 * 3600
    # Login throttling (server/logins.py, docs/security.md). Per account name (or per device
    # cookie): this many failures lock it for lockout_seconds. Per client address: this many
    # failures within the window refuse the address (rate_limited) for address_lockout_seconds.
    max_failed_logins: int = 5
    lockout_seconds: int = 15 * 60
    max_failed_per_address: int = 30
    address_window_seconds: int = 15 * 60
    address_lockout_seconds: int = 15 * 60
    # A device cookie lets a PC that logged in before past an account lock strangers caused.
    device_cookie_ttl_seconds: int = 180 * 24 * 3600
    max_device_cookies: int = 10
    max_devices_per_user: int = 5
    # Password hashing (scrypt, ~16 MiB each): threads of its own, and how many more logins may
    # wait for one before the next is refused at once (rate_limited). A waiting login holds no
    # thread and no buffer (server/logins.py PasswordGate); 64 waiting is about 64 checks' time
    # (~4 s here), so a Monday morning's logins queue instead of being refused.
    password_workers: int = 1
    password_queue: int = 64
    # Each consecutive failed login waits failure_delay × failures (capped) before answering.
    failure_delay_seconds: float = 0.25
    failure_delay_max_seconds: float = 2.0
    # A real registry answers within a working day; the demo answers at once.
    ss_check_delay_seconds: int = 0
    # Card applications: how long the server's verification and the card issuer take (0: at once).
    card_check_delay_seconds: int = 0
    card_issue_delay_seconds: int = 0
    run_worker: bool = True
    worker_poll_seconds: float = 1.0
    # A claimed job whose worker died is claimed again after this long.
    job_lease_seconds: int = 600
    max_push_records: int = 500
    max_pdf_bytes: int = 10 * 1024 * 1024
    # Request bodies (server/middleware.py RequestLimits): a push may carry a notice PDF in base64
    # (4/3 of its size) besides its records; every other body is a small form.
    max_push_bytes: int = 24 * 1024 * 1024
    max_body_bytes: int = 64 * 1024
    max_changes_page: int = 5000
    # Replay windows (server/pruning.py): how long a push record's first answer and a submission's
    # nonce are kept, and how often the job worker prunes what is older.
    idempotency_window_days: int = 90
    nonce_window_seconds: int = 24 * 3600
    prune_interval_seconds: int = 3600
    # Feed compaction (server/feed.py): a device not seen for this long no longer holds back the
    # compaction of its union's feed; back, it gets the latest change of each entity it missed.
    feed_window_days: int = 90
    scrypt_n: int = 2**14
    # Client versions (server/routes/client_versions.py): the newest, its download page, the oldest that
    # may still sync ("" = no such limit).
    latest_client_version: str = ""
    client_download_url: str = ""
    min_client_version: str = ""


@dataclass
class ServerContext:
    settings: Settings = field(default_factory=Settings)
    clock: Clock = system_clock
    # Set after a job is queued so the in-process worker looks at once instead of at its next poll.
    wake_worker: threading.Event = field(default_factory=threading.Event)
    # The app's bounded pool for password hashing (server.logins.PasswordGate), made by create_app.
    password_gate: Any = None

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the server clock must return timezone-aware datetimes")
        return moment.astimezone(timezone.utc)

    def now_naive(self) -> datetime:
        return self.now().replace(tzinfo=None)
