"""Background work: one function per job kind, run by a runner backend chosen by settings."""
