"""Read-side queries shared by pages and the API: a bounded number of SQL statements each."""
