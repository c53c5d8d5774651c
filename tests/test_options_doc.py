"""docs/options.md is generated from copier.yml and documents every option."""

from pathlib import Path

from mlplate import options_doc

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = ("tracker", "linting", "serving", "docker", "gpu_image", "data_versioning")


def test_options_page_is_generated_from_copier_yml():
    page = (ROOT / "docs" / "options.md").read_text(encoding="utf-8")
    assert (
        page == options_doc.render()
    ), "docs/options.md is stale: run `python -m mlplate.options_doc > docs/options.md`"


def test_every_option_question_is_in_the_table_and_explained():
    asked = options_doc.questions((ROOT / "copier.yml").read_text(encoding="utf-8"))
    page = options_doc.render()
    for name in (*OPTIONS, "kubernetes", "ci_python_versions", "organization", "code_owners"):
        assert name in asked, name
        assert f"| `{name}` |" in page and f"### `{name}`" in page, name
    assert set(options_doc.DETAILS) <= set(asked)


def test_computed_values_and_settings_are_not_listed_as_options():
    asked = options_doc.questions((ROOT / "copier.yml").read_text(encoding="utf-8"))
    assert not {"pins", "model_scheme", "champion_marker"} & set(asked)
    assert not any(name.startswith("_") for name in asked)
