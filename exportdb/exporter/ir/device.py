"""The one device the NumPy exporter knows: the CPU."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    type: str = "cpu"
    index: int | None = None

    def __post_init__(self) -> None:
        if self.type != "cpu":
            raise ValueError(f"device {self.type!r} is not available: the built-in exporter runs on the CPU only")

    def __repr__(self) -> str:
        return f"device(type='{self.type}')"

    def __str__(self) -> str:
        return self.type


CPU = Device()


def as_device(value: "str | Device | None") -> Device:
    if value is None or isinstance(value, Device):
        return value or CPU
    return Device(str(value).partition(":")[0])
