"""`hmsconf emulator`: serve the 100ms API emulator on a local port."""

from __future__ import annotations

import click

DEFAULT_ACCESS_KEY = "hmsconf-emulator"


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int, help="0 picks a free port.")
@click.option("--access-key", default=DEFAULT_ACCESS_KEY, show_default=True, help="The workspace's app access key.")
@click.option("--secret", default=None, help="The app secret tokens are signed with (default: made up and printed; with --state, kept there).")
@click.option("--state", type=click.Path(dir_okay=False), default=None, help="SQLite file that keeps the workspace across restarts.")
@click.option("--latency-ms", type=float, default=0, help="Delay every request by this many milliseconds.")
@click.option("--fault-rate", type=click.FloatRange(0, 1), default=0, help="Share of requests that fail (429, 5xx, dropped).")
@click.option("--seed", type=int, default=None, help="Seed for the fault sequence.")
@click.option("--retry-after", type=float, default=1.0, show_default=True, help="Retry-After seconds sent with injected 429s.")
@click.option("--access-log", type=click.Path(dir_okay=False), default=None, help="Append one line per request: method path status ms arrival-time (Unix seconds).")
def command(host, port, access_key, secret, state, latency_ms, fault_rate, seed, retry_after, access_log) -> None:
    """Run a local server that behaves like the documented 100ms API.

    It serves under /v2, checks management tokens, validates bodies with the
    same rules as `hmsconf validate`, fills server defaults, and can inject
    latency and faults. Stop it with Ctrl-C.

    \b
    Examples:
      hmsconf emulator                                  # prints its URL, key and secret
      hmsconf emulator --state ws.db --fault-rate 0.3 --seed 7   # secret kept in ws.db
      HMSCONF_API_URL=http://127.0.0.1:8787/v2 HMS_ACCESS_KEY=... HMS_SECRET=... hmsconf plan
    """
    import os
    import secrets as random_secrets

    from hmsconf.emulator.app import create_app
    from hmsconf.emulator.faults import Faults
    from hmsconf.emulator.server import bind, serve
    from hmsconf.emulator.store import Store
    from hmsconf.errors import HmsconfError

    try:
        sock = bind(host, port)
    except OSError as exc:
        raise HmsconfError(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port") from None
    if state and secret is None:
        previous = os.umask(0o077)  # the file will hold the secret: owner only (SQLite's -wal/-shm follow)
        try:
            store = Store(state)
        finally:
            os.umask(previous)
    else:
        store = Store(state)
    shown = "(as given)"
    if secret is None and state:
        # The state file keeps the secret it made, so a restart accepts the same credentials;
        # it is printed once, when made.
        secret, made_now = store.kept_secret(lambda: random_secrets.token_urlsafe(32))
        if made_now:
            os.chmod(state, 0o600)  # a state file made before with --secret may be readable by others
            shown = f"{secret}   (kept in {state}; printed only now)"
        else:
            shown = f"(the one printed when {state} was made; kept there)"
    elif secret is None:
        secret = random_secrets.token_urlsafe(32)
        shown = secret
    faults = Faults(fault_rate, seed, retry_after) if fault_rate else None
    app = create_app(store, access_key=access_key, secret=secret, faults=faults, latency_ms=latency_ms, access_log=access_log)
    bound = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host

    def ready() -> None:
        click.echo(f"hmsconf emulator ready: http://{shown_host}:{bound}/v2", )
        click.echo(f"  access key: {access_key}")
        # Only a secret it made up is printed, once; one it was given stays out of every output.
        click.echo(f"  secret:     {shown}")
        click.echo(f"  state:      {state or 'in memory'}; Ctrl-C stops")

    serve(app, sock, on_ready=ready)
    store.close()
    click.echo("hmsconf emulator stopped.")
