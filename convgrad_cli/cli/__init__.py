"""The command line: a thin Click layer that parses flags, calls the library and renders."""
