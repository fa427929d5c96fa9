"""Suite-wide fixtures: offscreen Qt, a fresh profile per test."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
