"""Projects made by `mlplate new` stay plain copier projects: `copier update` works on them."""

from __future__ import annotations

import copier
import yaml

from mlplate.new import new
from tests.conftest import git
from tests.test_new import SMALL_TEMPLATE


def test_copier_update_brings_an_mlplate_project_to_the_next_release(template_repo, tmp_path):
    repo = template_repo(SMALL_TEMPLATE, tag="v1.0.0")
    project = tmp_path / "proj"
    new(project, template=str(repo.root), lock=False)
    (project / "NOTES.md").write_text("the team's own file\n")
    git(project, "add", "NOTES.md")
    git(project, "commit", "-qm", "notes")
    repo.commit(
        {"template/README.md.jinja": "# {{ project_name }}\n\nsize={{ size }}\nv2\n"}, tag="v2.0.0"
    )

    copier.run_update(str(project), defaults=True, overwrite=True, unsafe=False, quiet=True)

    assert (project / "README.md").read_text().endswith("v2\n")
    assert (project / "NOTES.md").read_text() == "the team's own file\n"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v2.0.0"
    assert answers["_src_path"] == str(repo.root)
