"""`python -m hmsconf`: the same command line as the installed `hmsconf`."""

from hmsconf.cli import main

main()
