"""The fault suite: the production topology under faults, run by `make fault` (not by `make test`)."""
