"""Building blocks of the validated importer (``scheduler.data.importing.reader``).

``sources`` turns a CSV or XLSX file into a frame of trimmed text cells under
canonical column names; ``cells`` parses and checks columns vectorised;
``problems`` collects the defects, capped, with spreadsheet row numbers;
``references`` checks the codes that name rows of other tables.
"""
