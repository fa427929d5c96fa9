"""Pure domain rules: validation and calculations shared by the desktop client and the server.

Nothing here imports Qt, peewee or any other part of `app`; every function is deterministic
given its arguments (pass `today` explicitly where dates matter).
"""
