"""Auditing question banks: read every file, answer all their questions with one checker,
and report file by file (what `dlcheck exam` prints)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.exam import BankError, ExamFormatError, read_bank
from checker.exam.report import FileReport
from checker.exam.solver import DISAGREES, ExamSolver


@dataclass(frozen=True)
class Audit:
    """The reports of one audit, one per file in the order given."""

    reports: tuple[FileReport, ...]

    @property
    def unreadable(self) -> bool:
        """Some file could not be read at all (its report holds why)."""
        return any(report.failure for report in self.reports)

    @property
    def disagreements(self) -> int:
        """Questions whose key a path of the graph refutes."""
        return sum(r.key_status == DISAGREES for report in self.reports for r in report.results)


def audit(
    paths: Sequence[Path],
    solver: ExamSolver | Callable[[], ExamSolver],
    input_format: str | None = None,
    warn: Callable[[ExamFormatError | BankError], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Audit:
    """Read each bank, answer every question in one stream, and report per file.

    A file that cannot be read gets a report with its `failure`, and the others are still
    checked. `solver` may be a function that builds one: it is called only when some file
    holds questions. `warn` is told each problem as it is found: a file that cannot be read
    (ExamFormatError) or one question of a file (BankError); `progress(done, total)` is told
    after every chunk of questions answered.
    """
    banks: list = []
    for path in paths:
        try:
            bank = read_bank(path, input_format)
        except ExamFormatError as exc:  # this file only: the others are still checked
            if warn is not None:
                warn(exc)
            banks.append(FileReport(str(path), input_format, failure=str(exc)))
            continue
        if warn is not None:
            for error in bank.errors:
                warn(error)
        banks.append(bank)
    questions = [q for bank in banks if not isinstance(bank, FileReport) for q in bank.questions]
    results = []
    if questions:
        chosen = solver if isinstance(solver, ExamSolver) else solver()
        done = 0

        def advance(count: int) -> None:
            nonlocal done
            done += count
            progress(done, len(questions))

        results = list(chosen.solve(questions, progress=advance if progress else None))
    reports, start = [], 0
    for bank in banks:
        if isinstance(bank, FileReport):
            reports.append(bank)
            continue
        count = len(bank.questions)
        part = tuple(results[start : start + count])
        reports.append(FileReport(bank.source, bank.format, part, bank.errors))
        start += count
    return Audit(tuple(reports))
