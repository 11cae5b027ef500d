"""checker.exam.audit: the library behind `dlcheck exam`, without the command line."""

from __future__ import annotations

from pathlib import Path

from checker.exam import BankError, ExamFormatError, audit
from checker.exam.solver import DISAGREES, ExamSolver

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_an_audit_reports_file_by_file_and_goes_on_past_an_unreadable_file(checker, tmp_path):
    empty = tmp_path / "empty.gift"
    empty.write_text("")
    told = []
    result = audit(
        [empty, EXAMPLES / "seed.gift"], ExamSolver(checker), warn=told.append, progress=None
    )
    assert [r.source for r in result.reports] == [str(empty), str(EXAMPLES / "seed.gift")]
    assert result.reports[0].failure == f"{empty}: empty file" and not result.reports[0].results
    assert result.unreadable
    assert isinstance(told[0], ExamFormatError) and told[0].exit_code == 1  # a DlcheckError
    assert all(isinstance(problem, BankError) for problem in told[1:])
    seed = result.reports[1]
    assert seed.results and seed.failure is None
    # The seed bank has one key the graph refutes (README, "Exam banks").
    assert result.disagreements == sum(r.key_status == DISAGREES for r in seed.results) == 1


def test_no_solver_is_built_when_no_file_holds_questions(tmp_path):
    empty = tmp_path / "empty.gift"
    empty.write_text("")

    def never():
        raise AssertionError("a solver was built for no questions")

    result = audit([empty], never)
    assert result.unreadable and result.disagreements == 0
