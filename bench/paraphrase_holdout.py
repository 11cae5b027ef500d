"""Evaluation: does the reader find a claim in words its curators wrote, but not in the text
it is matched against?

Every claim with at least two paraphrases has one held out: the claim index is built from
its label and its other paraphrases only, and the held-out paraphrase is checked against
that index. Two people wording one fact differently is the gap between a statement and the
graph's own texts, measured on text nobody tuned the reader on. Prints how many held-out
paraphrases get the claim's own status, how many stay unknown, and every wrong verdict
(the most serious failure: a verdict from a partial or wrong reading); `--unknown` lists
the undecided ones too.

Run: python bench/paraphrase_holdout.py [--unknown] [--limit N]
"""

from __future__ import annotations

import argparse
from collections import Counter

from checker.align import ClaimIndex, ClaimsAndDefinitions, claims_in_order, read_claim_texts
from checker.check import Checker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unknown", action="store_true", help="list the undecided ones")
    parser.add_argument("--limit", type=int, default=0, help="check only the first N claims")
    args = parser.parse_args()

    checker = Checker()
    kb = checker.kb
    claims = ClaimsAndDefinitions(kb)
    held: dict[str, str] = {}  # claim IRI -> its held-out paraphrase (the last one)
    for iri in sorted(kb.claims):
        claim = kb.claims[iri]
        if len(claim.paraphrases) >= 2:
            held[iri] = claim.paraphrases[-1]
        if args.limit and len(held) >= args.limit:
            break
    read = read_claim_texts(
        checker.nlp, checker.scanner, claims_in_order(kb), read_as=checker.read_as
    )
    texts = [t for _, found in read for t in found if held.get(t.claim) != t.text]
    checker.index = ClaimIndex.of(kb, texts, claims)

    counts: Counter[str] = Counter()
    wrong, unknown = [], []
    items = list(held.items())
    for (iri, text), verdict in zip(items, checker.check_many([t for _, t in items]), strict=True):
        own = kb.claims[iri].status
        if verdict.verdict == own:
            counts["own status"] += 1
        elif verdict.verdict == "unknown":
            counts["unknown"] += 1
            unknown.append((iri, text, verdict.explanation))
        else:
            counts["other verdict"] += 1
            wrong.append((iri, own, text, verdict.verdict, verdict.explanation))
    total = sum(counts.values())
    print(f"held-out paraphrases: {total}")
    for name in ("own status", "unknown", "other verdict"):
        print(f"  {name:14} {counts[name]:5}  ({100 * counts[name] / max(total, 1):.1f}%)")
    print("\nother verdict (claim's status, then the verdict):")
    for iri, own, text, got, why in wrong:
        print(f"- {iri.rsplit('/', 1)[-1]} [{own} -> {got}] {text}\n    {why}")
    if args.unknown:
        print("\nunknown:")
        for iri, text, why in unknown:
            print(f"- {iri.rsplit('/', 1)[-1]}: {text}\n    {why}")


if __name__ == "__main__":
    main()
