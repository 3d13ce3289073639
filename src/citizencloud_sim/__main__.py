from citizencloud_sim.cli import main

main()
