"""medcode's SQLite backend: Django's, with the write-ahead log kept open between requests.

Settings use it (ENGINE "medcode.ops.sqlite3") whenever DATABASE_URL names SQLite.
"""
