from citizencloud.cli import main

main()
