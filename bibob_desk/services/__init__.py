"""Application services: the use cases the GUI and the command line call (and nothing else)."""
