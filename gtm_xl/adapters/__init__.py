"""Thin adapters over the library: command line, ribbon actions, add-in build, UDF wrappers."""
