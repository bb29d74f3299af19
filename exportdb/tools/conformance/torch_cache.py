"""torch.export's outcomes on disk, so a re-run only pays for the built-in engine.

One small JSON file per key under ``.exportdb-cache/conformance/<kind>/``; the
key hashes the torch version with whatever fixes the export (for an op sample:
the op, the sample index, the case source and the input tensors' metadata).
A damaged or missing file is a miss.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from exportdb.engines import EngineResult
from exportdb.execution.result_cache import write_text_atomic

DEFAULT_DIR = Path(".exportdb-cache") / "conformance"


def cache_key(*parts: object) -> str:
    """A stable hex key of ``parts`` (each turned into text)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode())
    return digest.hexdigest()[:32]


class TorchResultCache:
    """``EngineResult`` of torch.export by key; ``directory=None`` caches nothing."""

    def __init__(self, directory: Path | None):
        self.directory = directory

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> EngineResult | None:
        if self.directory is None:
            return None
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return EngineResult("torch", bool(data["ok"]), str(data["text"]), data.get("error_type"),
                                float(data.get("seconds", 0.0)))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: EngineResult) -> None:
        if self.directory is None:
            return
        data = {"ok": result.ok, "text": result.text, "error_type": result.error_type, "seconds": result.seconds}
        write_text_atomic(self._path(key), json.dumps(data), suffix=".part")
