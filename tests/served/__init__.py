"""Tests of what `dlcheck serve` serves: the SPARQL endpoint, the pages, the pages in a browser."""
