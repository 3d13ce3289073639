"""citizencloud: one account, one network for a city's services (一号通行，一网通办)."""

__version__ = "0.1.0"
