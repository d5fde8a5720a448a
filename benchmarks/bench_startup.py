"""How fast `hmsconf --help` and `hmsconf validate --help` answer (target <= 200 ms wall)."""

from __future__ import annotations

from common import HEADER, hmsconf, machine, row, run_timed


def main() -> None:
    print(f"machine: {machine()}")
    print(HEADER)
    for args in (["--help"], ["validate", "--help"], ["plan", "--help"]):
        seconds, done = run_timed([*hmsconf(), *args], repeat=15)
        assert done.returncode == 0, done.stderr
        ms = seconds * 1000
        print(row(f"hmsconf {' '.join(args)}", f"{ms:.0f} ms (median of 15)", "<= 200 ms", f"{ms / 200:.2f}"))


if __name__ == "__main__":
    main()
