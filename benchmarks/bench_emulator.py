"""Emulator throughput: template GETs per second and p99, load from wrk in a separate process.

Target: >= 2,000 requests/s on this machine (2 cores: one serves, one loads).
Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from common import HEADER, hmsconf, machine, row

from hmsconf.api.auth import TokenSource, management_token
from hmsconf.api.client import ApiClient
from tests.factories import template

KEY, SECRET = "bench-key", "bench-secret-0123456789abcdef0123456789"


def main() -> None:
    print(f"machine: {machine()}")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen([*hmsconf(), "emulator", "--port", "0", "--access-key", KEY, "--secret", SECRET,
                                 "--state", str(Path(tmp) / "s.db")], stdout=subprocess.PIPE, text=True)
        url = None
        for _ in range(20):
            match = re.search(r"(http://127\.0\.0\.1:\d+/v2)", proc.stdout.readline())
            if match:
                url = match.group(1)
                break
        try:
            async def seed():
                async with ApiClient(url, tokens=TokenSource(KEY, SECRET)) as client:
                    return [t["id"] for t in await client.gather(client.create_template(template(f"t{i}", 20)) for i in range(20))]

            ids = asyncio.run(seed())
            token = management_token(KEY, SECRET)
            script = Path(tmp) / "paths.lua"
            script.write_text("ids = {" + ",".join(f'"{i}"' for i in ids) + "}\nn = 0\nrequest = function()\n  n = n + 1\n"
                              f'  return wrk.format("GET", "/v2/templates/" .. ids[(n % #ids) + 1])\nend\n')
            print(HEADER)
            for connections in (16, 64):
                done = subprocess.run(["wrk", "-t1", f"-c{connections}", "-d10s", "--latency", "-s", str(script),
                                       "-H", f"Authorization: Bearer {token}", url.rsplit("/v2", 1)[0]],
                                      capture_output=True, text=True)
                rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))
                p99 = re.search(r"99%\s+([\d.]+\w+)", done.stdout).group(1)
                errors = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
                print(row(f"emulator template GET (20-role templates, {connections} connections)",
                          f"{rate:,.0f} req/s, p99 {p99}, non-2xx {errors.group(1) if errors else 0}",
                          ">= 2,000 req/s", f"{rate / 2000:.2f}"))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
