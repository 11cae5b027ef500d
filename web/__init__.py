"""dlcheck's web face: the pages, the SPARQL endpoint and /check, served by `dlcheck serve`.

It sits beside cli.py, above kg/ and checker/: the server's workers check statements and
exam banks, so the package uses the checker, and kg/ stays free of it.
"""
