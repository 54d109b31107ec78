"""Reports: sections computed in SQL, assembled into HTML and PDF, generated as jobs, mailed on schedule."""
