from mlplate.cli import entry

entry()
