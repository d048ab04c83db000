"""Entry point of the `tempo` command.

`tempo serve` runs under gevent (the production mode chosen by measurement, DESIGN section 7),
which must patch the standard library before Flask, SQLAlchemy or sockets are imported: this
module therefore imports nothing heavy before deciding.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the `tempo` command line."""
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        from tempo.config import Config

        if Config.from_env().SERVER_MODE == "gevent":
            from gevent import monkey

            monkey.patch_all()
    from tempo.cli import cli

    cli()


if __name__ == "__main__":
    main()
