"""Shared helpers for the benchmark scripts: timing, machine details, a table."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.factories


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def run_timed(command: list[str], repeat: int = 1, **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    """Median wall seconds of ``command`` over ``repeat`` runs."""
    times, done = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times), done


def hmsconf() -> list[str]:
    script = Path(sys.executable).parent / "hmsconf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]


def row(name: str, value: str, target: str = "", ratio: str = "") -> str:
    return f"| {name} | {value} | {target} | {ratio} |"


HEADER = "| benchmark | measured | target | ratio |\n|---|---|---|---|"
