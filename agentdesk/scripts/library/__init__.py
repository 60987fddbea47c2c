"""The default script library: the ``*.toml`` files in this folder (data, no code).

A package only so that packaging tools ship the files with ``agentdesk.scripts``.
"""
