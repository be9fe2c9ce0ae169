"""Count AWS calls and bytes per API operation, and time the import of app.py (`make bench`)."""
