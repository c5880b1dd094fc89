"""What this CPU computes natively, read without torch: settings are built at every start-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


@cache
def has_native_bf16(cpuinfo: Path = CPUINFO) -> bool:
    """Whether the CPU multiplies bfloat16 in hardware (AVX512_BF16 or AMX). Where the flags
    cannot be read (not Linux) the answer is no: bf16 emulated in software is slower than fp32."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return not BF16_FLAGS.isdisjoint(value.split())
    return False


def fastest_document_encoder() -> str:
    """bf16 where the hardware has it (~2-3x fp32 here, within the fp32 fingerprint's
    tolerance), the fp32 model elsewhere."""
    return "bf16" if has_native_bf16() else "torch"
