"""medcode's PostgreSQL backend: Django's, with connection health checks only where they pay.

Settings use it (ENGINE "medcode.ops.postgres") whenever DATABASE_URL names PostgreSQL.
"""
