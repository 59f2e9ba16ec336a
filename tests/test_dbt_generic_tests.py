"""The project's multi-column generic tests (dbt/tests/generic) fail exactly the rows they should.

Each test macro is rendered by dbt itself (`dbt compile --inline`) against literal
rows and the SQL it produces is run on the suite's Spark session: the rows it
returns are the failures dbt would count.
"""

from __future__ import annotations

from creatorlake.core.dbt import invoke_dbt

# id, name, total, part_a, part_b: one line, as dbt gets it inside a Jinja string literal
ROWS = (
    "(select * from values"
    " (1, 'a', 10, 4, 6), (2, null, 10, 4, 6), (3, 'c', null, 4, 6), (4, 'e', 10, 5, 6), (5, null, null, 4, 6)"
    " as t(id, name, total, part_a, part_b)) fixture"
)


def _failing_rows(spark, settings, test_call: str) -> dict[int, str]:
    result = invoke_dbt(spark, settings, ["compile", "--inline", "{{ " + test_call + " }}"])
    assert result.success, result.exception
    [compiled] = result.result.results
    return {row["id"]: row[0] for row in spark.sql(compiled.node.compiled_code).collect()}


def test_not_null_columns_fails_each_row_with_a_null_and_names_its_columns(spark, settings):
    failing = _failing_rows(spark, settings, f"test_not_null_columns(model={ROWS!r}, columns=['name', 'total'])")
    assert failing == {2: "name", 3: "total", 5: "name, total"}


def test_not_null_columns_passes_columns_without_nulls(spark, settings):
    assert _failing_rows(spark, settings, f"test_not_null_columns(model={ROWS!r}, columns=['id', 'part_a'])") == {}


def test_expressions_are_true_fails_false_or_null_checks_within_their_where(spark, settings):
    sums = "total = part_a + part_b"
    # A quote in a check must survive into the label of the failing row.
    known = {"expression": "name in ('a', 'c')", "where": "id != 3"}
    failing = _failing_rows(spark, settings, f"test_expressions_are_true(model={ROWS!r}, expressions=[{sums!r}, {known!r}])")
    known_label = "name in ('a', 'c') (where id != 3)"
    assert failing == {
        2: known_label,  # name null: unknown is a failure
        3: sums,  # total null; the name check does not apply to id 3
        4: f"{sums}; {known_label}",  # 10 != 5 + 6, and 'e' is not known
        5: f"{sums}; {known_label}",
    }


def test_expressions_are_true_passes_when_every_check_holds(spark, settings):
    failing = _failing_rows(spark, settings, f"test_expressions_are_true(model={ROWS!r}, expressions=['part_a < part_b', 'id >= 1'])")
    assert failing == {}
