"""Shared helpers of the security suite: hostile cases next to innocent ones."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # generator_support
