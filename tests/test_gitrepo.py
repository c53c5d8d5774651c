"""Reading a repository's state with git."""

from mlplate import gitrepo
from tests.conftest import git, write_tree

ODD = "template/{% if tracker != 'mlflow' %}tracking.py{% endif %}.jinja"


def test_dirty_paths_are_the_names_on_disk_even_with_spaces_quotes_and_renames(tmp_path):
    git(tmp_path, "init", "-q")
    write_tree(tmp_path, {ODD: "a\n", "old name.txt": "b\n", "kept.txt": "c\n"})
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    assert not gitrepo.dirty_paths(tmp_path)

    write_tree(tmp_path, {ODD: "changed\n", "new 'file'.txt": "d\n"})
    git(tmp_path, "mv", "old name.txt", "renamed.txt")
    assert sorted(gitrepo.dirty_paths(tmp_path)) == sorted([ODD, "new 'file'.txt", "renamed.txt"])
    tracked = gitrepo.dirty_paths(tmp_path, include_untracked=False)
    assert sorted(tracked) == sorted([ODD, "renamed.txt"])
