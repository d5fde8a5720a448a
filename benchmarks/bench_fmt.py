"""fmt --check throughput on 1,000 template files of 20 roles (files/s)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import HEADER, hmsconf, machine, row, run_timed

from tests.factories import template_yaml


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project" / "templates"
        root.mkdir(parents=True)
        for i in range(args.files):
            (root / f"t{i:04d}.yaml").write_text(template_yaml(f"template-{i}", 20))
        seconds, done = run_timed([*hmsconf(), "fmt", "--check", str(root.parent)])
        print(HEADER)
        print(row(f"fmt --check, {args.files:,} files x 20 roles", f"{seconds:.1f} s, {args.files / seconds:.0f} files/s", "report", ""))


if __name__ == "__main__":
    main()
