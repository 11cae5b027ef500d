"""The knowledge graph: curated Turtle in data/, and the code that loads, validates, queries,
compiles and projects it. Submodules import their heavy dependencies themselves so that the
check path, which reads only the compiled cache, never pays for rdflib or networkx."""
