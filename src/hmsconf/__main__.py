from hmsconf.cli import main

main()
