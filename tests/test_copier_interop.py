"""Projects made by `mlplate new` stay plain copier projects: `copier update` works on them."""

from __future__ import annotations

from pathlib import Path

import copier
import pytest
import yaml

from mlplate import gitrepo
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


REPO = Path(__file__).resolve().parents[1]


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and p.name != ".copier-answers.yml"
    }


@pytest.mark.parametrize(
    "data",
    [
        {"tracker": "none", "serving": "batch", "linting": "ruff", "docker": False},
        {"tracker": "wandb", "gpu_image": True, "kubernetes": True, "data_versioning": "dvc"},
    ],
    ids=["batch-ruff-no-docker", "wandb-gpu-k8s-dvc"],
)
def test_options_render_the_same_with_plain_copier(data, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    new(ours, data=data, defaults=True, git=False, lock=False)
    # mlplate offers git's identity as the author's default and the directory's name as the
    # project's; copier's --data does the same here.
    name, email = gitrepo.identity()
    offered = {k: v for k, v in (("author_name", name), ("author_email", email)) if v}
    offered["project_name"] = ours.name
    copier.run_copy(
        str(REPO), str(theirs), data={**data, **offered}, defaults=True, quiet=True, vcs_ref="HEAD"
    )
    assert _files(ours) == _files(theirs)
    answers = [yaml.safe_load((d / ".copier-answers.yml").read_text()) for d in (ours, theirs)]
    assert [{k: v for k, v in a.items() if not k.startswith("_")} for a in answers] == [
        {k: v for k, v in answers[1].items() if not k.startswith("_")}
    ] * 2
    assert answers[0]["tracker"] == data["tracker"]
