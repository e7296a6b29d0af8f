"""/api/v1, one module per resource: snapshot.py, statements.py."""
