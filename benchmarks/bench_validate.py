"""Validate 1,000 template files of 20 roles: hmsconf vs check-jsonschema on the same files.

Target: hmsconf takes at most a quarter of check-jsonschema's time (ratio <= 0.25),
and a 200-role template validates in under 0.5 s.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from common import HEADER, ROOT, hmsconf, machine, row, run_timed

from tests.factories import template_yaml


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        (root / "templates").mkdir(parents=True)
        for i in range(args.files):
            (root / "templates" / f"t{i:04d}.yaml").write_text(template_yaml(f"template-{i}", args.roles))
        size = sum(p.stat().st_size for p in (root / "templates").iterdir()) / args.files
        ours, done = run_timed([*hmsconf(), "validate", str(root), "--format", "json"])
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        print(HEADER)
        print(row(f"hmsconf validate, {args.files} files x {args.roles} roles ({size / 1024:.0f} KB each)", f"{ours:.2f} s ({ours / args.files * 1000:.1f} ms/file)"))
        checker = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
        if Path(checker).exists():
            files = sorted(str(p) for p in (root / "templates").iterdir())
            theirs, done = run_timed([checker, "--schemafile", str(ROOT / "schemas" / "template.schema.json"), *files])
            print(row("check-jsonschema, same files, generated schema", f"{theirs:.2f} s", "", ""))
            print(row("ratio hmsconf / check-jsonschema", f"{ours / theirs:.3f}", "<= 0.25", f"{ours / theirs / 0.25:.2f}"))
        else:
            print("check-jsonschema not installed: pip install -e '.[test]'")
        big = Path(tmp) / "big"
        (big / "templates").mkdir(parents=True)
        (big / "templates" / "t.yaml").write_text(template_yaml("big", 200))
        seconds, done = run_timed([*hmsconf(), "validate", str(big)], repeat=5)
        print(row("hmsconf validate, one template of 200 roles (whole command)", f"{seconds:.2f} s", "< 0.5 s", f"{seconds / 0.5:.2f}"))


if __name__ == "__main__":
    main()
