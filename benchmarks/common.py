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


# Runs a command and writes its peak RSS (kB) to a file: RUSAGE_CHILDREN of a
# process with exactly one child is that child's own figure.
_RSS_WRAPPER = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(code)"
)


def run_measured(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess, float]:
    """Wall seconds, the finished process, and its peak RSS in MB."""
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, rss.name, *command], capture_output=True, text=True, **kwargs)
        seconds = time.perf_counter() - start
        peak = int(rss.read() or 0) / 1024
    return seconds, done, peak


def run_tree_measured(command: list[str], interval: float = 0.02, **kwargs) -> tuple[float, subprocess.CompletedProcess, float]:
    """Wall seconds, the finished process, and the peak of its whole process tree's memory in MB.

    A command that forks workers (validate, plan) is several processes; the
    kernel's maxrss gives only the largest one. This samples, every
    ``interval`` seconds, the proportional set size (PSS: a page shared by n
    processes counts 1/n in each, so pages a fork shares are not counted
    twice) of every process in the command's session, and keeps the largest
    sum. Linux only (``/proc/PID/smaps_rollup``); sampling can miss a peak
    shorter than ``interval``.
    """
    import threading

    peak = 0
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, **kwargs)
    start = time.perf_counter()

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _session_pss_kb(process.pid))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    return seconds, subprocess.CompletedProcess(command, process.returncode, out, err), peak / 1024


def _session_pss_kb(session: int) -> int:
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            if int(fields[3]) != session:  # after the name: state ppid pgrp session
                continue
            with open(f"/proc/{entry.name}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:"))
        except (OSError, StopIteration, IndexError, ValueError):
            continue  # gone meanwhile, or not ours to read
    return total


def hmsconf() -> list[str]:
    script = Path(sys.executable).parent / "hmsconf"
    return [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]


def row(name: str, value: str, target: str = "", ratio: str = "") -> str:
    return f"| {name} | {value} | {target} | {ratio} |"


HEADER = "| benchmark | measured | target | ratio |\n|---|---|---|---|"
