"""The knowledge graph: curated Turtle in data/, and the code that loads, validates, queries,
compiles and projects it. Submodules import their heavy dependencies themselves so that the
check path, which reads only the compiled cache, never pays for rdflib or networkx."""

import logging

# rdflib logs a warning with a traceback for every ill-typed literal it meets (in a graph or
# a query), and Python prints it when nobody handles rdflib's log. kg.store reports a graph's
# ill-typed literals itself, as a file:line error; in a query they are no error.
logging.getLogger("rdflib").addHandler(logging.NullHandler())
