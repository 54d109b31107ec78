"""Importing the client base (clients with their contacts, or historical sales) from spreadsheets.

The steps, each in its module:

- ``reading``   opens an .xlsx or .csv file (encoding and delimiter detected), finds the header
                row and streams the data rows;
- ``cells``     understands one cell: text, dates in the usual formats, numbers with spaces and
                commas, formulas;
- ``fields``    what can be imported, the headers each field is recognised by, and mappings;
- ``checking``  classifies every row — new, update, duplicate, invalid — in batches, with a
                bounded number of queries per batch;
- ``writing``   writes the new and update rows of a batch through the client services' pieces;
- ``runs``      an import's life: upload, mapping, dry run, commit (in one transaction, as a job
                for big files), the file of skipped rows.

docs/decisions/0010-client-base-import-and-deletion.md explains the choices.
"""
