from keygraph.cli import main

main()
