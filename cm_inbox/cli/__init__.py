"""The `cm-inbox` command line: the same core as the TUI, for the shell and for scripts.

Nothing here imports textual except the function that opens the TUI.
"""
