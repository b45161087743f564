"""The command line: parse → service → render → exit code. No logic of its own."""
