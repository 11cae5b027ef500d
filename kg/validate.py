"""SHACL validation of the graph against ontology/shapes.ttl, with a report people can read."""

from __future__ import annotations

from dataclasses import dataclass

from kg.store import load_graph, shapes_file


@dataclass(frozen=True)
class Violation:
    focus: str  # the node that broke a shape
    path: str | None  # the property, when the shape is about one
    message: str
    severity: str  # "Violation" | "Warning" | "Info"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]

    def text(self) -> str:
        if self.conforms:
            return "The graph conforms to the SHACL shapes.\n"
        lines = [f"The graph does not conform: {len(self.violations)} problem(s)."]
        for v in self.violations:
            where = f"{v.focus}" + (f" ({v.path})" if v.path else "")
            lines.append(f"- {v.severity}: {where}: {v.message}")
        return "\n".join(lines) + "\n"


def validate(graph=None) -> ValidationReport:
    """Validate `graph` (default: the bundled graph) against the shapes; never raises on data."""
    import pyshacl
    from rdflib import Graph, Namespace
    from rdflib.namespace import RDF

    from ontology import PREFIXES

    data = graph if graph is not None else load_graph()
    shapes = Graph().parse(shapes_file(), format="turtle")
    # No RDFS inference: the ontology's rdfs:range axioms would make every object of
    # dlc:subject "a Concept" and hide the very errors sh:class is meant to catch. SHACL's own
    # instance test already follows rdfs:subClassOf in the data, which holds the ontology.
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True
    )
    sh = Namespace("http://www.w3.org/ns/shacl#")

    def short(term) -> str:
        text = str(term)
        for prefix, iri in PREFIXES.items():
            if text.startswith(iri):
                return f"{prefix}:{text[len(iri) :]}"
        return text

    violations = []
    for result in report.subjects(RDF.type, sh.ValidationResult):
        path = report.value(result, sh.resultPath)
        violations.append(
            Violation(
                focus=short(report.value(result, sh.focusNode)),
                path=short(path) if path is not None else None,
                message=str(report.value(result, sh.resultMessage) or "constraint not met"),
                severity=short(report.value(result, sh.resultSeverity)).split(":")[-1],
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path or "", v.message))
    return ValidationReport(conforms=bool(conforms), violations=tuple(violations))
